"""Set-password links: the one-time link with which a person chooses the first password
of a login an organiser made for them, and the ways it reaches them (copy, WhatsApp,
email).

The token follows Django's password-reset tokens (a keyed digest of the login's state
that a new password or a first sign-in changes), signed with a timestamp so that it
expires after `CAKAP_LOGIN_LINK_DAYS` days; a reset token and a set-password token are
not interchangeable (different salts). Nothing is stored: the link works until the
password is set or the login first signs in, and then never again (decision 81).
"""

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from cakap.people.cleaning import normalise_phone
from cakap.people.models import Person, User

_SALT = "cakap.people.invitations.v1"


def _state(user: User) -> str:
    """What a new password or a first sign-in changes, as a keyed digest."""
    last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0)
    value = f"{user.pk}|{user.password}|{last_login}|{user.email}|{user.is_active}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:32]


class InvitationTokenGenerator:
    """Make and check set-password tokens; Django's PasswordResetConfirmView takes it as
    its `token_generator`."""

    def make_token(self, user: User) -> str:
        return signing.TimestampSigner(salt=_SALT, sep=".").sign(_state(user))

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or not token or not user.is_active:
            return False
        try:
            value = signing.TimestampSigner(salt=_SALT, sep=".").unsign(
                token, max_age=settings.LOGIN_LINK_DAYS * 86400
            )
        except signing.BadSignature:  # also SignatureExpired
            return False
        return constant_time_compare(value, _state(user))


invitation_tokens = InvitationTokenGenerator()


def set_password_path(user: User) -> str:
    """The path of `user`'s set-password link, valid for LOGIN_LINK_DAYS days. Pages and
    the API make it absolute with the request's own address."""
    return reverse(
        "people:login-welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )


def site_context() -> dict[str, str]:
    """How mail made by Django's auth views names the site: the product's name and the
    address of CAKAP_SITE_URL (not the host a request came in on, which may be an
    internal name or 127.0.0.1)."""
    url = urlsplit(settings.SITE_URL)
    return {
        "site_name": "Cakap",
        "domain": url.netloc,
        "protocol": url.scheme or "https",
        "site_url": settings.SITE_URL,
    }


def has_mailbox(user: User) -> bool:
    """False for a login made without an email (its address is a placeholder)."""
    return not user.email.endswith("@" + User.PLACEHOLDER_DOMAIN)


def invitation_text(person: Person, url: str) -> str:
    """The message an organiser sends: whom it is for, the link, how to sign in later."""
    return _(
        "Dear %(name)s, a Cakap login has been made for you. Open this link to choose your "
        "password; it works once, within %(days)s days: %(url)s Afterwards you sign in "
        "with your NIP (%(nip)s) and that password."
    ) % {
        "name": person.full_name,
        "days": settings.LOGIN_LINK_DAYS,
        "url": url,
        "nip": person.nip_grouped,
    }


def whatsapp_url(phone: str, text: str) -> str:
    """A wa.me click-to-chat link to `phone` (Indonesian, stored as 08...) with `text`
    ready to send; without a usable phone, a link that lets the sender pick the chat."""
    digits = normalise_phone(phone or "") or ""
    number = "62" + digits[1:] if digits.startswith("0") else ""
    return f"https://wa.me/{number}?text={quote(text, safe='')}"


def email_invitation(person: Person, user: User, url: str) -> bool:
    """Send the set-password link to the login's email; False when it has none."""
    if not has_mailbox(user):
        return False
    context = {"person": person, "user": user, "url": url, "days": settings.LOGIN_LINK_DAYS}
    send_mail(
        subject=_("Your Cakap login"),
        message=render_to_string("people/auth/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True
