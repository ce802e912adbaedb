"""Running the worker inside a test: `run_worker --batch` in this process."""

import io
from unittest import mock

from django.core.management import call_command


def run_worker_once(*options: str) -> str:
    """Run what is queued (and, unless told `--no-schedule`, what is due), then return
    the worker's output. The worker checks its database connection between tasks, as a
    request does; inside a test's transaction that check would close the test's own
    connection (PostgreSQL), so here it is left out, as Django's test client leaves out
    the same check around each request."""
    out = io.StringIO()
    with (
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
        mock.patch("cakap.core.management.commands.run_worker.close_old_connections"),
    ):
        call_command("run_worker", "--batch", "--no-startup-delay", *options, stdout=out)
    return out.getvalue()
