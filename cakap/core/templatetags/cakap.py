import datetime

from django import template

from cakap.core import formatting

register = template.Library()


@register.filter
def long_date(value: datetime.date | datetime.datetime | None) -> str:
    return formatting.long_date(value) if value else ""


@register.filter
def short_date(value: datetime.date | datetime.datetime | None) -> str:
    return formatting.short_date(value) if value else ""


@register.filter
def clock(value: datetime.datetime | None) -> str:
    return formatting.clock(value) if value else ""


@register.simple_tag
def time_range(start: datetime.datetime, end: datetime.datetime) -> str:
    return formatting.time_range(start, end)
