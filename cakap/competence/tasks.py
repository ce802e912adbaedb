"""The competence app's background work (decision 88)."""

from cakap.competence.services import close_overdue_attempts
from cakap.core import schedule
from cakap.core.background import background_task


@background_task()
def close_assessments() -> int:
    """Score the attempts whose test has closed or whose time is up."""
    return close_overdue_attempts(acting_user=None)


schedule.register("competence.close_tests", close_assessments, schedule.Every(5))
