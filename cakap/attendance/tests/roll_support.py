"""Helpers shared by the roll, absence, close, recap and API tests."""

import datetime
from contextlib import AbstractContextManager
from typing import Any

import time_machine

from cakap.people.models import Person
from cakap.programmes.models import Enrolment, Group, Session


def at_minutes(world: Any, minutes: int) -> datetime.datetime:
    """A moment relative to the start of session A (09.00 WIB on the fixture's day)."""
    return world.session_a.starts_at + datetime.timedelta(minutes=minutes)


def travel(moment: datetime.datetime) -> AbstractContextManager[Any]:
    return time_machine.travel(moment, tick=False)


def add_participants(
    world: Any, n: int, group: Group | None = None, start: int = 0
) -> list[Person]:
    """`n` more participants (without logins) in group A, or in `group`."""
    group = group or world.group_a
    people = [
        Person.objects.create(
            nip=f"1980010120050{start + i:05d}", name=f"Peserta {start + i:03d}", unit=world.dinkes
        )
        for i in range(n)
    ]
    Enrolment.objects.bulk_create(
        Enrolment(programme=group.programme, group=group, person=p) for p in people
    )
    return people


def add_sessions(world: Any, days: list[int], group: Group | None = None) -> list[Session]:
    """Sessions of group A (or `group`) at 09.00 WIB, `days` after session A."""
    group = group or world.group_a
    base = world.session_a.starts_at
    return [
        Session.objects.create(
            group=group,
            starts_at=base + datetime.timedelta(days=d),
            ends_at=base + datetime.timedelta(days=d, hours=2),
        )
        for d in days
    ]


def person_of(user: Any) -> Person:
    return Person.objects.get(user=user)
