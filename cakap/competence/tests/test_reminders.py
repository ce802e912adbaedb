"""Competence's notices (decision 93): a test opening, to the programme's active
participants; closing within the day, to those who have not submitted it. Never twice;
an observation sends nothing."""

import datetime

import pytest
import time_machine
from django.core import mail

from cakap.competence import reminders, services, tasks
from cakap.competence.models import Instrument
from cakap.competence.services import ItemSpec
from cakap.competence.tests.helpers import QUIZ, right_answer
from cakap.core import schedule
from cakap.notices.models import Channel, Delivery, DeliveryState, NoticeKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework(world, literacy):
    services.set_programme_framework(world.programme, literacy, acting_user=world.organiser)


@pytest.fixture
def quiz(world, framework):
    instrument = services.create_instrument(
        world.programme,
        kind=Instrument.Kind.KNOWLEDGE,
        title="Kuis surel",
        acting_user=world.organiser,
    )
    services.add_items(instrument, QUIZ, acting_user=world.organiser)
    return instrument


def _run(now, capture):
    with time_machine.travel(now, tick=False), capture(execute=True):
        return reminders.send_test_reminders(now)


def test_an_opening_test_is_announced_once(world, quiz, django_capture_on_commit_callbacks):
    opens = world.session_a.starts_at
    adm = services.create_administration(
        quiz,
        phase="pre",
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=3),
        acting_user=world.organiser,
    )
    assert _run(opens - datetime.timedelta(minutes=5), django_capture_on_commit_callbacks) == 0
    made = _run(opens + datetime.timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert made == 4  # both participants, email and WhatsApp
    opening = Delivery.objects.filter(kind=NoticeKind.TEST_OPENING, channel=Channel.EMAIL)
    assert {d.person.user for d in opening} == {world.participant, world.other_participant}
    assert {d.state for d in opening} == {DeliveryState.SENT}
    message = mail.outbox[0]
    assert "Kuis surel" in message.subject
    assert f"/competence/take/{adm.pk}/" in message.body
    assert _run(opens + datetime.timedelta(minutes=15), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2


def test_closing_reminds_only_those_who_have_not_submitted(
    world, quiz, django_capture_on_commit_callbacks
):
    closes = world.session_a.starts_at + datetime.timedelta(days=2)
    opens = closes - datetime.timedelta(days=5)
    adm = services.create_administration(
        quiz, phase="pre", opens_at=opens, closes_at=closes, acting_user=world.organiser
    )
    with time_machine.travel(closes - datetime.timedelta(hours=30), tick=False):
        attempt = services.start_attempt(adm, acting_user=world.participant)
        services.save_answers(
            attempt,
            {i.pk: right_answer(i) for i in quiz.items.all()},
            acting_user=world.participant,
        )
        services.submit_attempt(attempt, acting_user=world.participant)
    _run(closes - datetime.timedelta(hours=5), django_capture_on_commit_callbacks)
    closing = Delivery.objects.filter(kind=NoticeKind.TEST_CLOSING, channel=Channel.EMAIL)
    assert [d.person.user for d in closing] == [world.other_participant]
    assert _run(closes - datetime.timedelta(hours=4), django_capture_on_commit_callbacks) == 0


def test_an_observation_sends_nothing(world, framework, django_capture_on_commit_callbacks):
    observation = services.create_instrument(
        world.programme,
        kind=Instrument.Kind.OBSERVATION,
        title="Amati",
        acting_user=world.organiser,
    )
    services.add_items(
        observation,
        [ItemSpec("CD", "check", "Mengirim surat", [], [])],
        acting_user=world.organiser,
    )
    opens = world.session_a.starts_at
    services.create_administration(
        observation,
        phase="pre",
        opens_at=opens,
        closes_at=opens + datetime.timedelta(hours=10),
        acting_user=world.organiser,
    )
    assert _run(opens + datetime.timedelta(minutes=5), django_capture_on_commit_callbacks) == 0
    assert not Delivery.objects.exists()


def test_the_producer_is_on_the_schedule():
    jobs = {job.name: job for job in schedule.jobs()}
    assert jobs["competence.test_reminders"].task is tasks.send_test_reminders
    assert jobs["competence.test_reminders"].cadence == schedule.Every(10)
