"""Background work on Django's tasks framework (decision 88).

A task is a module-level function in an app's `tasks.py`, decorated with
`background_task`. Its arguments are JSON values (ids, not objects), and it must be
idempotent: a retry or a second worker may run it again. Enqueue it with
`enqueue_on_commit`, so that a worker never sees a row the request has not committed.

Which backend runs the tasks is a setting (CAKAP_TASKS_BACKEND): `immediate` runs them
inline at enqueue time (the default, and what `make test` uses), `database` stores them
for `manage.py run_worker` (django-tasks-db), as `make demo` and a deployment do.
"""

import datetime
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.tasks import Task, task
from django.tasks.exceptions import InvalidTask
from django.utils import timezone

from cakap.core.errors import DomainError

logger = logging.getLogger("cakap.background")

# The keyword that carries a run's attempt number into its retry; the task's own
# function never sees it.
ATTEMPT_KEYWORD = "_cakap_attempt"
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait before retrying after the given failed attempt (1-based):
    30 s, 2 min, 8 min, ... never more than an hour."""
    seconds = FIRST_RETRY_SECONDS * 4 ** max(attempt - 1, 0)
    return datetime.timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def background_task(
    *, max_attempts: int = 3, priority: int = 0, queue_name: str = "default"
) -> Callable[[Callable[..., Any]], Task[..., Any]]:
    """Make a module-level function a task whose failed runs are retried.

    A run that raises is recorded as failed (with its error, in the task results) and,
    while attempts remain, a new run is enqueued after `retry_delay`. A `DomainError`
    is not retried: it says the data is wrong, and running again cannot change that.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def decorate(func: Callable[..., Any]) -> Task[..., Any]:
        made: list[Task[..., Any]] = []

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT_KEYWORD, 1))
            try:
                return func(*args, **kwargs)
            except DomainError:
                raise
            except Exception:
                if attempt < max_attempts:
                    _enqueue_retry(made[0], attempt, args, kwargs)
                else:
                    logger.exception("%s failed %d times; giving up", func.__qualname__, attempt)
                raise

        made.append(task(priority=priority, queue_name=queue_name)(run))
        return made[0]

    return decorate


def _enqueue_retry(
    background: Task[..., Any], attempt: int, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    retry = {**kwargs, ATTEMPT_KEYWORD: attempt + 1}
    delay = retry_delay(attempt)
    logger.warning(
        "%s failed (attempt %d); retrying in %s", background.name, attempt, delay, exc_info=True
    )
    try:
        background.using(run_after=timezone.now() + delay).enqueue(*args, **retry)
    except InvalidTask:
        # A backend that cannot defer (the immediate one) retries at once.
        background.enqueue(*args, **retry)


def enqueue_on_commit(background: Task[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue the task once the current transaction commits (at once outside one)."""
    transaction.on_commit(functools.partial(background.enqueue, *args, **kwargs))
