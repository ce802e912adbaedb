"""Apply the retention ages (settings.RETENTION_DAYS, from the CAKAP_RETAIN_* variables):
anonymise people with no activity for the people age, and clear check-in positions and
phone ids, drop refused check-ins and log-in records, each past its own age.

Run it daily (the worker's scheduler will); `--dry-run` says what it would do and
changes nothing. Running it twice does nothing more the second time.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cakap.core.formatting import local
from cakap.privacy.queries import RetentionPlan, retention_plan
from cakap.privacy.services import apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise people inactive past the retention age and drop check-in positions, "
        "phone ids, refused check-ins and log-in records past theirs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change, change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry = options["dry_run"]
        plan = retention_plan() if dry else apply_retention(acting_user=None)
        self._report(plan, dry)

    def _report(self, plan: RetentionPlan, dry: bool) -> None:
        verb = "would" if dry else "did"
        at = {name: f"{local(when):%Y-%m-%d %H:%M}" for name, when in plan.cutoffs.items()}
        ids = ", ".join(str(pk) for pk in plan.people[:50])
        more = f" and {len(plan.people) - 50} more" if len(plan.people) > 50 else ""
        lines = [
            f"{verb} anonymise {len(plan.people)} people inactive since {at['people']}"
            + (f": {ids}{more}" if plan.people else ""),
            f"{verb} clear {plan.positions} check-in positions from before {at['positions']}",
            f"{verb} clear {plan.device_ids} phone ids from before {at['device_ids']}",
            f"{verb} drop {plan.refused_check_ins} refused check-ins from before "
            f"{at['refused_check_ins']}",
            f"{verb} drop {plan.login_records} log-in records from before {at['login_records']}",
        ]
        for line in lines:
            self.stdout.write(line)
