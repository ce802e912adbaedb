"""Attendance's notices (decision 93): a session tomorrow and in one hour, to its group's
participants and coaches; falling behind, to the person and, only where the programme
turns it on, to their direct superior. Never twice; an opt-out is honoured."""

import datetime

import pytest
import time_machine
from django.core import mail

from cakap.attendance import reminders, tasks
from cakap.attendance.models import AttendanceRecord, Method, Status
from cakap.core import schedule
from cakap.core.formatting import JAKARTA
from cakap.notices import services
from cakap.notices.models import Channel, Delivery, DeliveryState, NoticeKind
from cakap.people.models import Person
from cakap.programmes.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a producer at `now` as the scheduled task would, with its mail sent after
    commit (the tests' tasks backend runs tasks inline)."""

    def run(producer, now):
        with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
            return producer(now)

    return run


def _people(world):
    participant = Person.objects.get(user=world.participant)
    coach = Person.objects.get(user=world.coach)
    participant.phone = "+62 812-3456-7890"
    participant.save(update_fields=["phone"])
    return participant, coach


def test_tomorrows_session_reminds_participants_and_coaches_once(world, send):
    participant, coach = _people(world)
    session = world.session_a
    now = session.starts_at - datetime.timedelta(days=1)  # 09:00 WIB the day before
    assert send(reminders.send_session_reminders, now) > 0
    mine = Delivery.objects.filter(person=participant, kind=NoticeKind.SESSION_TOMORROW)
    assert {(d.channel, d.state) for d in mine} == {
        (Channel.EMAIL, DeliveryState.SENT),
        (Channel.WHATSAPP, DeliveryState.PREPARED),
    }
    assert Delivery.objects.filter(
        person=coach, kind=NoticeKind.SESSION_TOMORROW, channel=Channel.EMAIL
    ).exists()
    to_participant = [m for m in mail.outbox if m.to == [participant.email]]
    assert len(to_participant) == 1
    body = to_participant[0].body
    assert to_participant[0].subject.startswith("Cakap: ")
    assert "besok" in to_participant[0].subject  # Indonesian by default
    assert "Ruang Rapat" in body and "Email" in body  # the venue and the module
    assert "09.00" in body and "WIB" in body
    # Group B's session is not group A's participant's, and B has other people.
    assert not Delivery.objects.filter(person=participant, session_ref=world.session_b.pk)
    sent = len(mail.outbox)
    count = Delivery.objects.count()
    # A second run, later the same day, sends nothing new.
    assert send(reminders.send_session_reminders, now + datetime.timedelta(hours=3)) == 0
    assert len(mail.outbox) == sent
    assert Delivery.objects.count() == count


def test_the_hour_before_a_session_brings_its_own_reminder(world, send):
    participant, _coach = _people(world)
    session = world.session_a
    Session.objects.filter(pk=session.pk).update(online_url="https://meet.example.test/abc")
    send(reminders.send_session_reminders, session.starts_at - datetime.timedelta(minutes=55))
    soon = Delivery.objects.get(
        person=participant, kind=NoticeKind.SESSION_SOON, channel=Channel.EMAIL
    )
    assert soon.state == DeliveryState.SENT
    assert "https://meet.example.test/abc" in soon.body
    # Two hours before is too early for it.
    assert not Delivery.objects.filter(kind=NoticeKind.SESSION_TOMORROW, person=participant)


def test_no_reminder_of_tomorrow_is_mailed_at_night(world, send):
    _people(world)
    night = datetime.datetime.combine(
        world.session_a.starts_at.astimezone(JAKARTA).date() - datetime.timedelta(days=1),
        datetime.time(2, 0),
        JAKARTA,
    )
    assert send(reminders.send_session_reminders, night) == 0
    assert mail.outbox == []


def test_a_cancelled_session_reminds_no_one(world, send):
    _people(world)
    Session.objects.filter(pk=world.session_a.pk).update(status=Session.Status.CANCELLED)
    send(reminders.send_session_reminders, world.session_a.starts_at - datetime.timedelta(days=1))
    assert not Delivery.objects.filter(session_ref=world.session_a.pk).exists()


def test_an_opt_out_of_email_is_honoured_and_logged(world, send):
    participant, _coach = _people(world)
    kinds = [k for k in NoticeKind.values if k != NoticeKind.SESSION_TOMORROW]
    services.set_email_preferences(participant, kinds, acting_user=world.participant)
    send(reminders.send_session_reminders, world.session_a.starts_at - datetime.timedelta(days=1))
    email = Delivery.objects.get(
        person=participant, kind=NoticeKind.SESSION_TOMORROW, channel=Channel.EMAIL
    )
    assert email.state == DeliveryState.OPTED_OUT
    assert not [m for m in mail.outbox if participant.email in m.to]
    # WhatsApp is the coach's choice: still prepared.
    assert (
        Delivery.objects.get(
            person=participant, kind=NoticeKind.SESSION_TOMORROW, channel=Channel.WHATSAPP
        ).state
        == DeliveryState.PREPARED
    )


def _fall_behind(world):
    """Group A's participant missed this morning's session (alpa); it was held."""
    Session.objects.filter(pk=world.session_a.pk).update(status=Session.Status.HELD)
    participant = Person.objects.get(user=world.participant)
    AttendanceRecord.objects.create(
        session=world.session_a, person=participant, status=Status.ALPA, method=Method.MANUAL
    )
    superior = Person.objects.create(
        nip="196501011990031001",
        name="Kepala Dinas",
        unit=participant.unit,
        email="kadis@example.test",
    )
    participant.superior = superior
    participant.save(update_fields=["superior"])
    return participant, superior


def _afternoon(world):
    return world.session_a.ends_at + datetime.timedelta(hours=3)


def test_falling_behind_tells_the_person_but_not_the_superior_by_default(world, send):
    participant, superior = _fall_behind(world)
    send(reminders.send_behind_target_notices, _afternoon(world))
    behind = Delivery.objects.get(
        person=participant, kind=NoticeKind.BEHIND_TARGET, channel=Channel.EMAIL
    )
    assert behind.state == DeliveryState.SENT
    assert behind.programme_ref == world.programme.pk
    assert "0" in behind.body and "80%" in behind.body
    assert not Delivery.objects.filter(person=superior).exists()
    # The other participant (no session held for group B yet) is not behind.
    assert not Delivery.objects.filter(person__user=world.other_participant).exists()


def test_the_superior_is_told_when_the_programme_turns_it_on(world, send):
    participant, superior = _fall_behind(world)
    world.programme.notify_superior_when_behind = True
    world.programme.save(update_fields=["notify_superior_when_behind"])
    send(reminders.send_behind_target_notices, _afternoon(world))
    told = Delivery.objects.get(person=superior)
    assert told.kind == NoticeKind.STAFF_BEHIND and told.state == DeliveryState.SENT
    assert participant.name in told.body
    assert [m.to for m in mail.outbox if m.to == [superior.email]] == [[superior.email]]
    # Once a week: the next day's run tells neither again.
    count = Delivery.objects.count()
    send(reminders.send_behind_target_notices, _afternoon(world) + datetime.timedelta(days=1))
    assert Delivery.objects.count() == count


def test_the_producers_are_on_the_schedule():
    jobs = {job.name: job for job in schedule.jobs()}
    assert jobs["attendance.session_reminders"].task is tasks.send_session_reminders
    assert jobs["attendance.session_reminders"].cadence == schedule.Every(10)
    assert jobs["attendance.behind_target"].cadence == schedule.Daily(8)
