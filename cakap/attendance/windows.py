"""Check-in windows, lateness and place (pure rules)."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

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
class Place:
    """Where check-ins are measured from: a point and the radius around it."""

    latitude: float
    longitude: float
    radius_m: int
    source: str  # "session": the session's own venue; "programme": the programme's


def place_for(policy: AttendancePolicy, venue: SessionVenue | None = None) -> Place | None:
    """The venue point of a session: its own when it has one, else the programme's; None
    when neither names a point (a check-in then keeps a position but measures nothing)."""
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        return Place(float(venue.latitude), float(venue.longitude), venue.radius_m, "session")
    if policy.latitude is not None and policy.longitude is not None:
        return Place(float(policy.latitude), float(policy.longitude), policy.radius_m, "programme")
    return None


def map_link(latitude: float, longitude: float) -> str:
    """A link that shows the point on OpenStreetMap's own site (nothing is embedded)."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude:.6f}&mlon={longitude:.6f}"
        f"#map=18/{latitude:.6f}/{longitude:.6f}"
    )


# --- What an organiser may set (pure) -----------------------------------------------------

MAX_WINDOW_MIN = 720  # twelve hours either side of the start, as long as a session may last
MIN_WINDOW_MIN = 5
MIN_CODE_PERIOD_S = 10
MAX_CODE_PERIOD_S = 300
MAX_CODE_GRACE_S = 300
MIN_RADIUS_M = 20  # a phone's position is rarely better than this
MAX_RADIUS_M = 5000


@dataclass(frozen=True)
class Problem:
    """An input an organiser must correct: the field at fault and what is wrong."""

    field: str
    code: str
    message: str


def window_problems(
    opens_before_min: int, closes_after_min: int, late_after_min: int
) -> list[Problem]:
    """What is wrong with a window and a lateness threshold, field by field (minutes)."""
    found = []
    for name, value in (
        ("opens_before_min", opens_before_min),
        ("closes_after_min", closes_after_min),
        ("late_after_min", late_after_min),
    ):
        if not 0 <= value <= MAX_WINDOW_MIN:
            found.append(
                Problem(
                    name,
                    "out_of_range",
                    _("Give a number of minutes from 0 to %(max)s.") % {"max": MAX_WINDOW_MIN},
                )
            )
    if found:
        return found
    if opens_before_min + closes_after_min < MIN_WINDOW_MIN:
        found.append(
            Problem(
                "closes_after_min",
                "window_too_short",
                _("The check-in window must stay open at least %(min)s minutes in all.")
                % {"min": MIN_WINDOW_MIN},
            )
        )
    if late_after_min > closes_after_min:
        found.append(
            Problem(
                "late_after_min",
                "late_after_close",
                _(
                    "Lateness starts %(late)s minutes after the start, but the window "
                    "closes %(closes)s minutes after it: lateness must fall within the window."
                )
                % {"late": late_after_min, "closes": closes_after_min},
            )
        )
    return found


def code_problems(code_period_s: int, code_grace_s: int) -> list[Problem]:
    found = []
    if not MIN_CODE_PERIOD_S <= code_period_s <= MAX_CODE_PERIOD_S:
        found.append(
            Problem(
                "code_period_s",
                "out_of_range",
                _("Give a number of seconds from %(min)s to %(max)s.")
                % {"min": MIN_CODE_PERIOD_S, "max": MAX_CODE_PERIOD_S},
            )
        )
    if not 0 <= code_grace_s <= MAX_CODE_GRACE_S:
        found.append(
            Problem(
                "code_grace_s",
                "out_of_range",
                _("Give a number of seconds from %(min)s to %(max)s.")
                % {"min": 0, "max": MAX_CODE_GRACE_S},
            )
        )
    return found


def point_problems(
    latitude: Decimal | None, longitude: Decimal | None, radius_m: int
) -> list[Problem]:
    """A venue point: both coordinates or neither, on the globe, and a sensible radius."""
    found = []
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        found.append(Problem("latitude", "out_of_range", _("Latitude must be between -90 and 90.")))
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        found.append(
            Problem("longitude", "out_of_range", _("Longitude must be between -180 and 180."))
        )
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        found.append(
            Problem(missing, "half_point", _("Give both latitude and longitude, or neither."))
        )
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        found.append(
            Problem(
                "radius_m",
                "out_of_range",
                _("Give a radius from %(min)s to %(max)s metres.")
                % {"min": MIN_RADIUS_M, "max": MAX_RADIUS_M},
            )
        )
    return found


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
