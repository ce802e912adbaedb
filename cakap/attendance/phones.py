"""Participant cards and phone ids: signed tokens, nothing stored per token."""

import hmac
import re
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

from cakap.people.models import Person

# --- Participant cards --------------------------------------------------------------------

_CARD_SALT = "cakap.attendance.card"


def card_token(person: Person) -> str:
    """The signed token a participant's card QR carries: names the person, nothing else."""
    return signing.Signer(salt=_CARD_SALT, algorithm="sha256").sign(f"P{person.pk}")


def person_id_from_card(token: str) -> int | None:
    """The person a card token names, or None when the signature does not hold."""
    try:
        value = signing.Signer(salt=_CARD_SALT, algorithm="sha256").unsign((token or "").strip())
    except signing.BadSignature:
        return None
    if not value.startswith("P") or not value[1:].isdigit():
        return None
    return int(value[1:])


# --- Device ids ---------------------------------------------------------------------------

DEVICE_COOKIE = "cakap_device"


_DEVICE_SALT = "cakap.attendance.device"
_DEVICE_ID = re.compile(r"([A-Za-z0-9_-]{24})\.([A-Za-z0-9_-]{24})")


def _device_mac(nonce: str, key: str) -> str:
    mac = salted_hmac(_DEVICE_SALT, nonce, key, algorithm="sha256")
    return signing.b64_encode(mac.digest()[:18]).decode()


def new_device_id(key: str | None = None) -> str:
    """A phone's id, issued by this server: a random nonce and its HMAC under the secret
    key (49 characters), kept in a long-lived cookie or by an API client. Never the IP
    address: a whole office shares one."""
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_device_mac(nonce, key if key is not None else settings.SECRET_KEY)}"


def valid_device_id(value: str | None) -> bool:
    """Whether `value` is a phone id this server issued (under its secret key or one of
    the fallbacks kept while the key is rotated)."""
    found = _DEVICE_ID.fullmatch(value or "")
    if found is None:
        return False
    nonce, mac = found.groups()
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_device_mac(nonce, key), mac) for key in keys)
