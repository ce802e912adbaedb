"""The worker: runs the queued background tasks and the scheduled jobs (decision 88).

    manage.py run_worker              # until Ctrl-C or SIGTERM
    manage.py run_worker --batch      # the due schedule, then every queued task, then exit

It is django-tasks-db's `db_worker` (same options; every queue by default) with the
schedule beside it: a thread that calls `schedule.run_due` every `--schedule-every`
seconds. Run one per server; several workers share the queue and the schedule safely.
It needs CAKAP_TASKS_BACKEND=database (with the immediate backend nothing is queued).
"""

import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from cakap.core import schedule


class Command(DatabaseWorkerCommand):
    help = "Run the background worker: queued tasks and the scheduled jobs."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Before the parser exists: its --backend option checks the default backend.
        if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
            raise CommandError(
                "The worker needs the database task backend: set CAKAP_TASKS_BACKEND=database."
            )
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--schedule-every",
            type=float,
            default=20.0,
            help="Seconds between looks at the schedule (default: %(default)s).",
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="Run queued tasks only, no schedule."
        )
        # Every queue, and no reloading: a reload would restart the schedule's thread
        # mid-run; the demo restarts the worker with the server instead.
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        every = options.pop("schedule_every")
        if not options.pop("no_schedule"):
            if options["batch"]:
                self._look(verbose=options["verbosity"] > 0)
            else:
                threading.Thread(
                    target=self._keep_looking,
                    args=(every, options["verbosity"] > 1),
                    name="schedule",
                    daemon=True,
                ).start()
        super().handle(*args, **options)

    def _look(self, *, verbose: bool) -> None:
        started = schedule.run_due(timezone.now())
        if verbose and started:
            self.stdout.write(f"scheduled: {', '.join(started)}")

    def _keep_looking(self, every: float, verbose: bool) -> None:
        while True:
            close_old_connections()
            try:
                self._look(verbose=verbose)
            except Exception as exc:  # a database blip must not end the schedule
                self.stderr.write(f"schedule: {exc!r}")
            close_old_connections()
            time.sleep(every)
