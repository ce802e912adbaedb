from django.core.management.base import BaseCommand

from cakap.competence import services


class Command(BaseCommand):
    help = "Load or refresh the shipped competence frameworks (digital literacy, DigComp 2.2)."

    def handle(self, *args: object, **options: object) -> None:
        for framework in services.load_shipped_frameworks():
            self.stdout.write(f"{framework.code}: {framework.competences.count()} competences")
