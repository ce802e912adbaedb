"""Close the attendance of every session whose check-in window has closed.

Run it every minute, from cron or the worker's scheduler:

    * * * * * cd /srv/cakap && .venv/bin/python manage.py close_attendance

Everyone actively enrolled and still unmarked becomes alpa (method auto_close) and the
session becomes held. Running it again, or at the same time on two servers, does no harm:
a closed session is skipped and the unique record per participant decides any race. A
roll opened after its window closed is closed on the spot too, so a missed run loses
nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cakap.attendance.services import RollError, close_session_attendance, sessions_due_for_closing
from cakap.core.formatting import local


class Command(BaseCommand):
    help = "Close attendance of sessions whose check-in window has closed: unmarked become alpa."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the sessions without closing them."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sessions = sessions_due_for_closing(timezone.now())
        closed = 0
        for session in sessions:
            label = f"{session.group} {local(session.starts_at):%Y-%m-%d %H:%M}"
            if options["dry_run"]:
                self.stdout.write(f"would close {label}")
                continue
            try:
                made = close_session_attendance(session, acting_user=None)
            except RollError as exc:  # cancelled or moved meanwhile
                self.stderr.write(f"skipped {label}: {exc.code}")
                continue
            closed += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"closed {label}: {made} alpa")
        if not options["dry_run"] and options["verbosity"] > 0:
            self.stdout.write(f"{closed} session(s) closed")
