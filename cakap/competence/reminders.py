"""Competence's notices: a test (an administration of a self-assessment or a knowledge
test) opening, and closing within the day for those who have not submitted it.

Plain functions of `now`, which the scheduled task (`competence/tasks.py`) calls. Keys
name the administration and its time (`test-opening:<id>:<opens_at>`), so running twice
sends nothing new and a test moved to another time is announced again. A coach's
observation is not taken by the participant and sends nothing.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cakap.competence.models import Administration, Attempt, Instrument
from cakap.core.formatting import clock, long_date
from cakap.notices.models import Channel, NoticeKind
from cakap.notices.services import Notice, notify_many
from cakap.people.models import Person
from cakap.programmes.models import Enrolment

# An opening is announced for a day after it (a worker that was down catches up); a
# closing from a day before it.
OPENING_LATE = datetime.timedelta(days=1)
CLOSING_AHEAD = datetime.timedelta(days=1)
TAKEN_BY_PARTICIPANTS = (Instrument.Kind.SELF, Instrument.Kind.KNOWLEDGE)


def _administrations(**filters: object) -> list[Administration]:
    return list(
        Administration.objects.filter(instrument__kind__in=TAKEN_BY_PARTICIPANTS, **filters)
        .select_related("instrument__programme")
        .order_by("opens_at", "pk")
    )


def _participants(administration: Administration, *, unsubmitted: bool) -> list[Person]:
    people = Person.objects.filter(
        Enrolment.active_q("enrolments", programme=administration.instrument.programme_id)
    )
    if unsubmitted:
        submitted = Attempt.objects.filter(
            administration=administration, person=OuterRef("pk"), submitted_at__isnull=False
        )
        people = people.filter(~Exists(submitted))
    return list(people.distinct().order_by("name", "pk"))


def _body(person: Person, administration: Administration, line: str) -> str:
    take = settings.SITE_URL + reverse("competence:take", args=[administration.pk])
    return "\n".join(
        [
            _("Dear %(name)s,") % {"name": person.full_name},
            "",
            line,
            _("Programme: %(programme)s")
            % {"programme": administration.instrument.programme.title},
            _("Open until %(date)s, %(time)s")
            % {
                "date": long_date(administration.closes_at),
                "time": clock(administration.closes_at),
            },
            _("Take it here: %(url)s") % {"url": take},
        ]
    )


def _notices(
    administration: Administration, kind: str, prefix: str, when: datetime.datetime
) -> list[Notice]:
    instrument = administration.instrument
    names = {"test": instrument.title, "phase": administration.get_phase_display()}
    if kind == NoticeKind.TEST_OPENING:
        subject = _("Cakap: %(test)s (%(phase)s) is open") % names
        line = _("The test %(test)s (%(phase)s) is open for you now.") % names
    else:
        subject = _("Cakap: %(test)s (%(phase)s) closes soon") % names
        line = _("The test %(test)s (%(phase)s) closes soon and you have not submitted it.") % names
    key = f"{prefix}:{administration.pk}:{when:%Y%m%dT%H%M}"
    people = _participants(administration, unsubmitted=kind == NoticeKind.TEST_CLOSING)
    return [
        Notice(
            person,
            kind,
            key,
            subject,
            _body(person, administration, line),
            (Channel.EMAIL, Channel.WHATSAPP),
            programme_ref=instrument.programme_id,
        )
        for person in people
    ]


def send_test_reminders(now: datetime.datetime) -> int:
    """Announce the tests that opened (within the last day and still open) and remind of
    those closing within the day; the number of deliveries made now."""
    notices: list[Notice] = []
    with translation.override(settings.LANGUAGE_CODE):
        for adm in _administrations(
            opens_at__lte=now, opens_at__gt=now - OPENING_LATE, closes_at__gt=now
        ):
            notices += _notices(adm, NoticeKind.TEST_OPENING, "test-opening", adm.opens_at)
        for adm in _administrations(
            opens_at__lte=now, closes_at__gt=now, closes_at__lte=now + CLOSING_AHEAD
        ):
            notices += _notices(adm, NoticeKind.TEST_CLOSING, "test-closing", adm.closes_at)
    return len(notify_many(notices))
