"""The attendance app's background work (decision 88): closing check-in windows, and
its notices (decision 93): session reminders every ten minutes (a reminder "in one
hour" then goes out 50 to 60 minutes before the start) and the falling-behind notices
each morning (their key lets each person hear at most once a week)."""

from django.utils import timezone

from cakap.attendance import reminders
from cakap.attendance.services import close_due_sessions
from cakap.core import schedule
from cakap.core.background import background_task


@background_task()
def close_attendance_windows() -> int:
    """Close the sessions whose check-in window has closed: unmarked become alpa."""
    return sum(1 for _, outcome in close_due_sessions() if not isinstance(outcome, str))


@background_task()
def send_session_reminders() -> int:
    """Remind participants and coaches of tomorrow's sessions and of the next hour's."""
    return reminders.send_session_reminders(timezone.now())


@background_task()
def send_behind_target_notices() -> int:
    """Tell those falling behind the attendance target (and, where turned on, their
    direct superior)."""
    return reminders.send_behind_target_notices(timezone.now())


schedule.register("attendance.close_windows", close_attendance_windows, schedule.Every(1))
schedule.register("attendance.session_reminders", send_session_reminders, schedule.Every(10))
schedule.register("attendance.behind_target", send_behind_target_notices, schedule.Daily(8))
