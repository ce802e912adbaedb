from django.core.management.base import BaseCommand

from cakap.competence import demo


class Command(BaseCommand):
    help = "Give the demo coaching clinic a framework and a pre/post knowledge test with answers."

    def handle(self, *args: object, **options: object) -> None:
        quiz = demo.seed()
        if quiz is None:
            self.stdout.write("Run seed_demo first: the demo programme is missing.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Competence demo ready: /competence/instruments/{quiz.pk}/results/")
        )
