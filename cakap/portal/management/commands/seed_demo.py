from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cakap.competence import demo as competence_demo
from cakap.people.models import Person
from cakap.people.nip import format_nip
from cakap.portal import demo


class Command(BaseCommand):
    help = "Seed the demo regency, officials and programmes once, then print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.is_seeded():
            self.stdout.write("The demo is already seeded; nothing changed.")
        else:
            demo.seed()
            competence_demo.seed()
            self.stdout.write(self.style.SUCCESS("Demo seeded (all officials are fictitious)."))
        site = settings.SITE_URL
        self.stdout.write(f"\nLog in at {site}/login/ with password: {demo.DEMO_PASSWORD}")
        for login in demo.logins():
            self.stdout.write(f"  {login.role:<12} {login.identifier:<24} {login.who}")
        participant = Person.objects.filter(email=demo.PARTICIPANT_EMAIL).first()
        if participant is not None:
            self.stdout.write(
                f"A NIP signs in too: the participant's is {format_nip(participant.nip)}."
            )
