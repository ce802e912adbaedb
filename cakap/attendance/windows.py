"""Check-in windows, lateness and place (pure rules)."""

import datetime
import math
from dataclasses import dataclass

from cakap.attendance.models import (
    AttendancePolicy,
    SessionVenue,
    Status,
)
from cakap.programmes.models import Programme, Session

# --- Windows, lateness, place (pure) ------------------------------------------------------


def policy_for(programme: Programme) -> AttendancePolicy:
    """The programme's policy, or the defaults (unsaved) when it has none."""
    try:
        return programme.attendance_policy
    except AttendancePolicy.DoesNotExist:
        return AttendancePolicy(programme=programme)


def venue_for(session: Session) -> SessionVenue | None:
    """The session's place and window overrides, or None."""
    try:
        return session.attendance
    except SessionVenue.DoesNotExist:
        return None


@dataclass(frozen=True)
class Window:
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    late_after: datetime.datetime

    def state(self, at: datetime.datetime) -> str:
        """'not_open', 'open' or 'closed' at `at`."""
        if at < self.opens_at:
            return "not_open"
        if at >= self.closes_at:
            return "closed"
        return "open"


def window_of(
    starts_at: datetime.datetime,
    policy: AttendancePolicy,
    venue: SessionVenue | None = None,
) -> Window:
    """The check-in window: the session's overrides win over the programme's policy."""
    opens = policy.opens_before_min
    closes = policy.closes_after_min
    if venue is not None:
        opens = venue.opens_before_min if venue.opens_before_min is not None else opens
        closes = venue.closes_after_min if venue.closes_after_min is not None else closes
    closes_at = starts_at + datetime.timedelta(minutes=closes)
    if venue is not None and venue.closed_at is not None:
        closes_at = min(closes_at, venue.closed_at)
    return Window(
        opens_at=starts_at - datetime.timedelta(minutes=opens),
        closes_at=closes_at,
        late_after=starts_at + datetime.timedelta(minutes=policy.late_after_min),
    )


def lateness(
    starts_at: datetime.datetime, window: Window, at: datetime.datetime
) -> tuple[str, int]:
    """(status, minutes late): late after the threshold, counted from the start."""
    if at <= window.late_after:
        return Status.HADIR, 0
    return Status.TERLAMBAT, min(int((at - starts_at).total_seconds() // 60), 32767)


EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Location:
    """What the phone said about its position. `latitude` is None when it refused."""

    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    error: str = ""  # "denied", "unavailable", "timeout" when the phone gave none

    @property
    def known(self) -> bool:
        return self.latitude is not None and self.longitude is not None
