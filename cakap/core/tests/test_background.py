"""Background work (decision 88): tasks enqueued on commit, retried with backoff,
idempotent when run twice, and the worker's schedule that needs no cron."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from cakap.attendance.models import AttendanceRecord
from cakap.core import schedule
from cakap.core.background import enqueue_on_commit, retry_delay
from cakap.core.formatting import JAKARTA
from cakap.core.models import AuditEntry, ScheduledRun
from cakap.core.tests import background_tasks
from cakap.core.tests.worker import run_worker_once
from cakap.programmes.models import Session

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    settings.TASKS = DATABASE_QUEUE
    background_tasks.failures_left["flaky"] = 0


def work(*extra: str) -> str:
    return run_worker_once(*extra)


@pytest.mark.django_db
def test_a_task_is_enqueued_only_when_the_transaction_commits(
    queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_on_commit(background_tasks.write_note, "after-commit")
        assert not DBTaskResult.objects.exists()
    assert len(callbacks) == 1
    row = DBTaskResult.objects.get()
    assert row.task_path == "cakap.core.tests.background_tasks.write_note"
    assert row.args_kwargs == {"args": ["after-commit"], "kwargs": {}}


@pytest.mark.django_db
def test_a_rolled_back_transaction_enqueues_nothing(queue, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(background_tasks.write_note, "never")
        raise RuntimeError
    assert callbacks == []
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_every_run_is_recorded_with_its_state_and_times(queue):
    background_tasks.write_note.enqueue("seen")
    work("--no-schedule")
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.started_at and row.finished_at and row.started_at <= row.finished_at
    assert AuditEntry.objects.filter(action="test.note", object_id="seen").count() == 1


@pytest.mark.django_db
def test_running_a_task_twice_does_no_harm(queue):
    background_tasks.write_note.enqueue("twice")
    background_tasks.write_note.enqueue("twice")
    work("--no-schedule")
    assert DBTaskResult.objects.successful().count() == 2
    assert AuditEntry.objects.filter(action="test.note", object_id="twice").count() == 1


@pytest.mark.django_db
def test_a_failed_run_is_retried_later_with_backoff_then_succeeds(queue):
    background_tasks.failures_left["flaky"] = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        background_tasks.flaky.enqueue("mail")
        work("--no-schedule")
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert failed.exception_class_path == "builtins.ConnectionError"
    assert "did not answer" in failed.traceback
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == start + retry_delay(1)
    assert retry.args_kwargs["kwargs"] == {"_cakap_attempt": 2}

    # Not before its time; then once more failed, and the third attempt succeeds.
    with time_machine.travel(start + datetime.timedelta(seconds=10), tick=False):
        work("--no-schedule")
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    with time_machine.travel(start + retry_delay(1), tick=False):
        work("--no-schedule")
    with time_machine.travel(start + retry_delay(1) + retry_delay(2), tick=False):
        work("--no-schedule")
    assert DBTaskResult.objects.failed().count() == 2
    assert DBTaskResult.objects.successful().count() == 1
    assert AuditEntry.objects.filter(action="test.flaky").count() == 1


@pytest.mark.django_db
def test_retries_stop_after_the_last_attempt(queue):
    background_tasks.failures_left["flaky"] = 10
    start = timezone.now()
    background_tasks.flaky.enqueue("never")
    for hours in range(4):
        with time_machine.travel(start + datetime.timedelta(hours=hours), tick=False):
            work("--no-schedule")
    assert DBTaskResult.objects.failed().count() == 3
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


@pytest.mark.django_db
def test_without_a_worker_tasks_run_inline_and_retry_at_once():
    background_tasks.failures_left["flaky"] = 1
    background_tasks.flaky.enqueue("inline")
    assert AuditEntry.objects.filter(action="test.flaky", object_id="inline").count() == 1


def test_backoff_grows_and_is_capped():
    delays = [retry_delay(n).total_seconds() for n in range(1, 8)]
    assert delays[:3] == [30, 120, 480]
    assert delays == sorted(delays)
    assert max(delays) == 3600


ANY_TIME = st.datetimes(
    min_value=datetime.datetime(2023, 1, 1), max_value=datetime.datetime(2030, 12, 31)
).map(lambda d: d.replace(tzinfo=datetime.UTC))
CADENCES = [
    (schedule.Every(1), datetime.timedelta(minutes=1)),
    (schedule.Every(15), datetime.timedelta(minutes=15)),
    (schedule.Daily(hour=2), datetime.timedelta(days=1)),
    (schedule.Weekly(weekday=0, hour=6), datetime.timedelta(days=7)),
]


@given(now=ANY_TIME, which=st.sampled_from(range(len(CADENCES))))
def test_a_slot_is_the_latest_time_the_cadence_names(now, which):
    cadence, period = CADENCES[which]
    slot = cadence.slot(now)
    assert now - period < slot <= now
    assert cadence.slot(slot) == slot  # a slot is its own slot
    assert cadence.slot(slot + period) == slot + period


def test_the_weekly_brief_slot_is_monday_six_in_the_morning_wib():
    # Wednesday 2 December 2026, 10.00 WIB: the slot is Monday 30 November, 06.00 WIB.
    now = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=JAKARTA)
    slot = schedule.Weekly(weekday=0, hour=6).slot(now)
    assert slot == datetime.datetime(2026, 11, 30, 6, 0, tzinfo=JAKARTA)
    assert schedule.Every(15).slot(now.replace(minute=44)) == now.replace(minute=30)


@pytest.mark.django_db
def test_each_slot_is_enqueued_once_however_often_the_worker_looks(queue):
    now = datetime.datetime(2026, 12, 2, 10, 0, 10, tzinfo=JAKARTA)  # no slot ends within 1 s
    names = {job.name for job in schedule.jobs()}
    assert {"attendance.close_windows", "competence.close_tests", "privacy.retention"} <= names
    first = schedule.run_due(now)
    assert set(first) == names
    assert schedule.run_due(now + datetime.timedelta(seconds=1)) == []
    assert ScheduledRun.objects.count() == len(names)
    assert DBTaskResult.objects.count() == len(names)
    later = schedule.run_due(now + datetime.timedelta(minutes=1))
    assert "attendance.close_windows" in later
    assert "privacy.retention" not in later


@pytest.mark.django_db
def test_the_worker_closes_windows_on_its_schedule_without_cron(queue, world):
    start = timezone.now() - datetime.timedelta(days=1)
    Session.objects.filter(pk=world.session_a.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    out = work()
    assert "attendance.close_windows" in out
    session = Session.objects.get(pk=world.session_a.pk)
    assert session.status == Session.Status.HELD
    alpa = AttendanceRecord.objects.filter(session=session, status="alpa")
    assert alpa.filter(person__user=world.participant).exists()
    # The next look, a minute later, finds nothing more to close and changes nothing.
    count = AttendanceRecord.objects.count()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        work()
    assert AttendanceRecord.objects.count() == count


def test_the_worker_refuses_the_immediate_backend():
    with pytest.raises(CommandError, match="CAKAP_TASKS_BACKEND=database"):
        call_command("run_worker", "--batch")
