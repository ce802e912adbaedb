"""Indonesian formatting of dates and times: "Jumat, 7 Juli 2023", "08.30 WIB"."""

import datetime
import functools
import zoneinfo

from babel.dates import format_date as babel_format_date
from django.utils import timezone, translation

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def _locale() -> str:
    return "en" if (translation.get_language() or "id").startswith("en") else "id"


def local(dt: datetime.datetime) -> datetime.datetime:
    """An aware datetime shown in Asia/Jakarta."""
    return timezone.localtime(dt, JAKARTA)


@functools.lru_cache(maxsize=4096)
def _format(d: datetime.date, pattern: str, locale: str) -> str:
    # A page or a burst of check-ins formats the same few dates over and over; babel's
    # formatting is the slow part, and a date's name never changes.
    return str(babel_format_date(d, pattern, locale=locale))


def long_date(d: datetime.date | datetime.datetime) -> str:
    """'Jumat, 7 Juli 2023' in Indonesian, 'Friday, 7 July 2023' in English."""
    if isinstance(d, datetime.datetime):
        d = local(d).date()
    return _format(d, "EEEE, d MMMM y", _locale())


def short_date(d: datetime.date | datetime.datetime) -> str:
    """'7 Jul 2023'."""
    if isinstance(d, datetime.datetime):
        d = local(d).date()
    return _format(d, "d MMM y", _locale())


def clock(dt: datetime.datetime) -> str:
    """'08.30 WIB': the Indonesian style, with a dot between hours and minutes."""
    t = local(dt)
    return f"{t:%H.%M} WIB"


def time_range(start: datetime.datetime, end: datetime.datetime) -> str:
    """'08.30-10.00 WIB'."""
    return f"{local(start):%H.%M}\u2013{local(end):%H.%M} WIB"
