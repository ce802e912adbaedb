from django.core.management.base import BaseCommand

from cakap.competence import services


class Command(BaseCommand):
    help = (
        "Score unsubmitted attempts whose assessment has closed or whose time is up, "
        "with the answers they saved. Safe to run often (e.g. every few minutes)."
    )

    def handle(self, *args: object, **options: object) -> None:
        closed = services.close_overdue_attempts(acting_user=None)
        self.stdout.write(f"{closed} attempt(s) closed and scored.")
