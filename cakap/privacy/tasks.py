"""The privacy app's background work (decision 88): retention, nightly."""

from cakap.core import schedule
from cakap.core.background import background_task
from cakap.privacy.services import apply_retention


@background_task()
def apply_retention_ages() -> None:
    """Anonymise and clear what has passed its retention age (`apply_retention`)."""
    apply_retention(acting_user=None)


schedule.register("privacy.retention", apply_retention_ages, schedule.Daily(hour=2))
