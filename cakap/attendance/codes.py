"""Rotating check-in codes and the moment a scan is honoured at (pure rules).

A code is an HMAC of the session and the current time slot under the deployment's
secret key, so nothing is stored per code and any app server can check one.
"""

import datetime
import hmac
import math
from dataclasses import dataclass

from django.conf import settings

from cakap.attendance.models import (
    AttendancePolicy,
)
from cakap.programmes.models import Session

# Six characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31**6 ≈ 8.9e8
# codes, so a guess succeeds about twice in a billion tries.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
MIN_PERIOD_S = 5
# How far back a refused code is recognised as one that was real but expired (only the
# message differs); capped in slots so that a guess costs little even with short periods.
EXPIRED_LOOKBACK_S = 4 * 3600
EXPIRED_LOOKBACK_SLOTS = 480
# The server's own record of a scan stays honoured this long across a sign-in or a
# dropped connection.
SCAN_HONOUR = datetime.timedelta(minutes=10)


# --- Rotating codes (pure) ----------------------------------------------------------------


def period_of(policy: AttendancePolicy) -> int:
    """The code period in seconds, never so short that a person cannot type it."""
    return max(int(policy.code_period_s), MIN_PERIOD_S)


def slot_at(epoch: float, period_s: int) -> int:
    """The time slot a moment falls in: floor(epoch / period)."""
    return math.floor(epoch / period_s)


def make_code(session_id: int, slot: int, key: str | None = None) -> str:
    """The code of one session in one slot: an HMAC under the secret key, six characters."""
    secret = (key if key is not None else settings.SECRET_KEY).encode()
    digest = hmac.new(secret, f"cakap.checkin.v1:{session_id}:{slot}".encode(), "sha256")
    n = int.from_bytes(digest.digest()[:16], "big")
    chars = []
    for _i in range(CODE_LENGTH):
        n, r = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[r])
    return "".join(chars)


def normalise_code(text: str) -> str:
    """What a person typed, as a code: capitals, no spaces or dashes."""
    return "".join(c for c in (text or "").upper() if c not in " -.\t")


def code_slot(
    session_id: int, code: str, at: datetime.datetime, period_s: int, key: str | None = None
) -> int | None:
    """The time slot whose code `code` is for `session_id`, looking back from the slot of
    `at` (never forward: codes of future slots do not exist yet); None for no slot."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    current = slot_at(at.timestamp(), period_s)
    lookback = current - max(1, min(EXPIRED_LOOKBACK_S // period_s, EXPIRED_LOOKBACK_SLOTS))
    slot = current
    while slot >= lookback:
        if hmac.compare_digest(make_code(session_id, slot, key), code):
            return slot
        slot -= 1
    return None


def check_code(
    session_id: int,
    code: str,
    at: datetime.datetime,
    period_s: int,
    grace_s: int,
    key: str | None = None,
) -> str:
    """'ok', 'expired' or 'bad' for `code` shown for `session_id`, checked as of `at`.

    A slot's code is valid while its slot lasts and `grace_s` seconds after; codes of
    future slots are never valid.
    """
    slot = code_slot(session_id, code, at, period_s, key)
    if slot is None:
        return "bad"
    return "ok" if at.timestamp() < (slot + 1) * period_s + grace_s else "expired"


@dataclass(frozen=True)
class ScanTime:
    """When a scan is honoured as having happened, and what its code is worth then."""

    verdict: str  # "ok", "expired" or "bad", as check_code says
    at: datetime.datetime


def seen_recently(seen_at: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether the server's own record of a scan is still believed: not from the future,
    not older than SCAN_HONOUR."""
    return now - SCAN_HONOUR < seen_at <= now


def _moment(epoch: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)


def honoured_scan(
    session_id: int,
    code: str,
    policy: AttendancePolicy,
    *,
    now: datetime.datetime,
    seen_at: datetime.datetime | None = None,
    claimed_at: datetime.datetime | None = None,
) -> ScanTime:
    """The one rule for when a scan happened, for every path (page, API, a later sync).

    `seen_at` is when this server itself saw the code (the scan page's GET, kept in the
    Django session across a sign-in or a dropped connection); it is believed for
    SCAN_HONOUR_S and never from the future, otherwise the request's arrival (`now`)
    counts. The code must have been valid when the server saw it. A code of slot N
    proves the scan happened no earlier than the start of slot N and no later than the
    moment the server saw it (itself before the slot's end plus the grace), so a time
    the client claims (`claimed_at`) is clamped into that interval and never believed
    beyond it: lateness and the window are judged at the clamped moment.
    """
    seen = seen_at if seen_at is not None and seen_recently(seen_at, now) else now
    period = period_of(policy)
    slot = code_slot(session_id, code, seen, period)
    if slot is None:
        return ScanTime("bad", seen)
    if seen.timestamp() >= (slot + 1) * period + policy.code_grace_s:
        return ScanTime("expired", seen)
    at = claimed_at if claimed_at is not None else seen
    return ScanTime("ok", min(max(at, _moment(slot * period)), seen))


@dataclass(frozen=True)
class ShownCode:
    code: str
    slot: int
    expires_at: datetime.datetime

    @property
    def grouped(self) -> str:
        return f"{self.code[:3]} {self.code[3:]}"


def current_code(session: Session, policy: AttendancePolicy, now: datetime.datetime) -> ShownCode:
    """The code the coach's screen shows now, and when it changes."""
    period = period_of(policy)
    slot = slot_at(now.timestamp(), period)
    expires = datetime.datetime.fromtimestamp((slot + 1) * period, tz=datetime.UTC)
    return ShownCode(make_code(session.pk, slot), slot, expires)
