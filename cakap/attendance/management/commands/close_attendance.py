"""Close the attendance of every session whose check-in window has closed.

The worker runs the same function every minute (attendance/tasks.py); the command is
for a server without a worker, or to close at once:

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

from cakap.attendance.services import close_due_sessions, sessions_due_for_closing
from cakap.core.formatting import local
from cakap.programmes.models import Session


class Command(BaseCommand):
    help = "Close attendance of sessions whose check-in window has closed: unmarked become alpa."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List the sessions without closing them."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["dry_run"]:
            for session in sessions_due_for_closing(now):
                self.stdout.write(f"would close {_label(session)}")
            return
        closed = 0
        for session, outcome in close_due_sessions(now):
            if isinstance(outcome, str):
                self.stderr.write(f"skipped {_label(session)}: {outcome}")
                continue
            closed += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"closed {_label(session)}: {outcome} alpa")
        if options["verbosity"] > 0:
            self.stdout.write(f"{closed} session(s) closed")


def _label(session: Session) -> str:
    return f"{session.group} {local(session.starts_at):%Y-%m-%d %H:%M}"
