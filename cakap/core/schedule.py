"""Scheduled jobs, run by the worker without cron (decision 88).

An app registers its jobs at import time of its `tasks.py`:

    schedule.register("attendance.close_windows", close_windows, Every(minutes=1))

`manage.py run_worker` imports every installed app's `tasks` module and calls `run_due`
a few times a minute. A job's slot is the latest time its cadence names at or before
now; a `ScheduledRun` row per (job, slot) makes each slot run once however many workers
there are. A worker that was down catches up the latest missed slot of each job, not
every one (a job that closes windows or sends reminders looks at the present anyway).
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils.module_loading import autodiscover_modules

from cakap.core.formatting import JAKARTA
from cakap.core.models import ScheduledRun

logger = logging.getLogger("cakap.schedule")

# Slots older than this are forgotten; no cadence is longer than a week.
KEEP_RUNS = datetime.timedelta(days=14)


@dataclass(frozen=True)
class Every:
    """Every so many minutes, counted from midnight WIB (so Every(15) runs at :00, :15, ...)."""

    minutes: int

    def __post_init__(self) -> None:
        if not 1 <= self.minutes <= 24 * 60 or (24 * 60) % self.minutes:
            raise ValueError("minutes must divide a day")

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        local = now.astimezone(JAKARTA)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        passed = int((local - midnight).total_seconds() // 60)
        return midnight + datetime.timedelta(minutes=passed - passed % self.minutes)


@dataclass(frozen=True)
class Daily:
    """Once a day at a time of day in WIB."""

    hour: int
    minute: int = 0

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        local = now.astimezone(JAKARTA)
        at = local.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return at if at <= local else at - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Weekly:
    """Once a week on a weekday (Monday is 0) at a time of day in WIB."""

    weekday: int
    hour: int
    minute: int = 0

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        local = now.astimezone(JAKARTA)
        day = local.date() - datetime.timedelta(days=(local.weekday() - self.weekday) % 7)
        at = datetime.datetime.combine(day, datetime.time(self.hour, self.minute), JAKARTA)
        return at if at <= local else at - datetime.timedelta(days=7)


Cadence = Every | Daily | Weekly


@dataclass(frozen=True)
class Job:
    name: str
    task: Task[[], Any]
    cadence: Cadence


_jobs: dict[str, Job] = {}


def register(name: str, task: Task[[], Any], cadence: Cadence) -> None:
    """Run `task` (which takes no arguments) on `cadence`. Registering a name again
    replaces its job (a module imported twice does no harm)."""
    _jobs[name] = Job(name, task, cadence)


def jobs() -> list[Job]:
    """Every registered job, after importing each installed app's `tasks` module."""
    autodiscover_modules("tasks")
    return sorted(_jobs.values(), key=lambda job: job.name)


def run_due(now: datetime.datetime) -> list[str]:
    """Enqueue every job whose current slot has not run yet; the names enqueued."""
    started = []
    for job in jobs():
        slot = job.cadence.slot(now)
        # Most looks find the slot taken: ask first, so that the database does not log a
        # refused insert for each job every 20 seconds; the constraint settles a race.
        if ScheduledRun.objects.filter(name=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=job.name, slot=slot)
                result = job.task.enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # this slot is someone else's already
        logger.debug("scheduled %s for %s", job.name, slot.isoformat())
        started.append(job.name)
    ScheduledRun.objects.filter(slot__lt=now - KEEP_RUNS).delete()
    return started
