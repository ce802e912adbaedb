"""How often a person may try to sign in or ask for a password reset.

Failed log-ins are counted per account (django-axes, under one name per account
whatever spelling of NIP or email was typed: auth.lockout_username). An address is
paused only when failures for many *different* accounts come from it
(LOGIN_ADDRESS_ACCOUNT_LIMIT), because a room of officials on one Wi-Fi, or every
client behind a proxy that is not configured as trusted, shares one address.

Password-reset requests are counted per typed email and per address in the cache, the
same whether the email belongs to anyone or not, so the limit reveals nothing.
"""

import datetime
import hashlib
from collections.abc import Mapping

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone


def _cool_off() -> datetime.timedelta:
    cool_off: datetime.timedelta | None = get_cool_off()
    return cool_off or datetime.timedelta(minutes=15)


def _account_paused_until(
    request: HttpRequest, credentials: Mapping[str, object] | None
) -> datetime.datetime | None:
    username = get_client_username(request, credentials)
    if not username:
        return None
    since = timezone.now() - _cool_off()
    attempts = list(
        AccessAttempt.objects.filter(username=username, attempt_time__gte=since).values_list(
            "failures_since_start", "attempt_time"
        )
    )
    if sum(failures for failures, _ in attempts) < settings.AXES_FAILURE_LIMIT:
        return None
    last: datetime.datetime = max(at for _, at in attempts)
    return last + _cool_off()


def _address_paused_until(address: str | None) -> datetime.datetime | None:
    """When failures for LOGIN_ADDRESS_ACCOUNT_LIMIT different accounts came from
    `address` within the cool-off, the moment enough of them age out; else None."""
    limit: int = settings.LOGIN_ADDRESS_ACCOUNT_LIMIT
    if not address or limit <= 0:
        return None
    since = timezone.now() - _cool_off()
    latest: dict[str, datetime.datetime] = {}
    for username, at in AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=since
    ).values_list("username", "attempt_time"):
        key = username or ""
        latest[key] = max(at, latest.get(key, at))
    if len(latest) < limit:
        return None
    # The address opens again when fewer than `limit` accounts have a recent failure.
    return sorted(latest.values(), reverse=True)[limit - 1] + _cool_off()


def login_paused_until(
    request: HttpRequest, credentials: Mapping[str, object] | None = None
) -> datetime.datetime | None:
    """The moment this account (or, after a flood, this address) may try again."""
    moments = [
        moment
        for moment in (
            _account_paused_until(request, credentials),
            _address_paused_until(getattr(request, "axes_ip_address", None)),
        )
        if moment is not None
    ]
    return max(moments) if moments else None


class LoginThrottle(AxesDatabaseHandler):  # type: ignore[misc]  # axes has no types
    """django-axes' database handler (AXES_HANDLER), counting per account as configured
    (AXES_LOCKOUT_PARAMETERS = ["username"]) and also pausing an address that many
    different accounts fail from."""

    def is_locked(
        self, request: HttpRequest, credentials: Mapping[str, object] | None = None
    ) -> bool:
        if bool(super().is_locked(request, credentials)):
            return True
        return _address_paused_until(getattr(request, "axes_ip_address", None)) is not None


# --- Password-reset requests ---------------------------------------------------------------


def _note_request(key: str, limit: int, now: datetime.datetime) -> datetime.datetime | None:
    """Count one request under `key` in a fixed window; the window's end when the limit is
    already reached (the refused request is not counted), else None."""
    window = datetime.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)
    entry = cache.get(key)
    started, count = entry if isinstance(entry, tuple) else (now.timestamp(), 0)
    start = datetime.datetime.fromtimestamp(started, tz=datetime.UTC)
    if now - start >= window:
        start, count = now, 0
    if count >= limit:
        return start + window
    cache.set(key, (start.timestamp(), count + 1), timeout=int(window.total_seconds()) + 1)
    return None


def reset_request_refused_until(request: HttpRequest, email: str) -> datetime.datetime | None:
    """Count a password-reset request for `email` from this request's address; the moment
    another may be made when a limit (PASSWORD_RESET_PER_ACCOUNT or _PER_ADDRESS per
    window) is reached, else None. The email is counted whether or not an account has it."""
    now = timezone.now()
    account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()
    address = get_client_ip_address(request) or "unknown"
    refusals = [
        until
        for until in (
            _note_request(
                f"cakap:reset:account:{account}", settings.PASSWORD_RESET_PER_ACCOUNT, now
            ),
            _note_request(
                f"cakap:reset:address:{address}", settings.PASSWORD_RESET_PER_ADDRESS, now
            ),
        )
        if until is not None
    ]
    return max(refusals) if refusals else None
