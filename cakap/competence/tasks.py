"""The competence app's background work (decision 88): closing tests, and the notices
of tests opening and closing (decision 93)."""

from django.utils import timezone

from cakap.competence import reminders
from cakap.competence.services import close_overdue_attempts
from cakap.core import schedule
from cakap.core.background import background_task


@background_task()
def close_assessments() -> int:
    """Score the attempts whose test has closed or whose time is up."""
    return close_overdue_attempts(acting_user=None)


@background_task()
def send_test_reminders() -> int:
    """Announce the tests that opened and remind of those closing within the day."""
    return reminders.send_test_reminders(timezone.now())


schedule.register("competence.close_tests", close_assessments, schedule.Every(5))
schedule.register("competence.test_reminders", send_test_reminders, schedule.Every(10))
