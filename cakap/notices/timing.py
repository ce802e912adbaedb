"""When notices that are not bound to a clock time may go out: in the daytime in WIB
(07.00 to 21.00), so that a producer's first run after midnight mails no one at night;
and the week a weekly notice belongs to. Pure rules, no database."""

import datetime

from cakap.core.formatting import local

DAY_STARTS_AT = 7
DAY_ENDS_AT = 21


def in_daytime(now: datetime.datetime) -> bool:
    return DAY_STARTS_AT <= local(now).hour < DAY_ENDS_AT


def week_key(now: datetime.datetime) -> str:
    """'2026-W49': the ISO week in WIB, for a notice sent at most once a week."""
    year, week, _ = local(now).isocalendar()
    return f"{year}-W{week:02d}"


def tomorrow(now: datetime.datetime) -> datetime.date:
    return local(now).date() + datetime.timedelta(days=1)
