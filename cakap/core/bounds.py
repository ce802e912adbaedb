"""The ranges of numbers and dates Cakap accepts as input, in one place.

A number beyond a database integer or a date near year 9999 is never a plan anyone
makes; refusing it where it comes in (a 404 for a URL, a 422 naming the field in the
API, a form error on a page) keeps it from reaching the database or date arithmetic,
where it would answer 500.
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

MAX_ID = 2**63 - 1  # the largest value of a database BIGINT (every primary key here)
MAX_PAGE = 1_000_000  # times the largest page size stays far below MAX_ID
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)
MAX_SESSION = datetime.timedelta(hours=12)


def id_in_range(value: int) -> bool:
    return 1 <= value <= MAX_ID


def date_in_range(value: datetime.date) -> bool:
    day = value.date() if isinstance(value, datetime.datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def date_range_message() -> str:
    return _("Enter a date between %(first)s and %(last)s.") % {
        "first": date_format(MIN_DATE, "SHORT_DATE_FORMAT"),
        "last": date_format(MAX_DATE, "SHORT_DATE_FORMAT"),
    }
