"""The attendance app's background work (decision 88)."""

from cakap.attendance.services import close_due_sessions
from cakap.core import schedule
from cakap.core.background import background_task


@background_task()
def close_attendance_windows() -> int:
    """Close the sessions whose check-in window has closed: unmarked become alpa."""
    return sum(1 for _, outcome in close_due_sessions() if not isinstance(outcome, str))


schedule.register("attendance.close_windows", close_attendance_windows, schedule.Every(1))
