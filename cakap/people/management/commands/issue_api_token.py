"""Issue an API token for a user and print its key once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cakap.core.errors import DomainError
from cakap.people.models import User
from cakap.people.tokens import issue_token


class Command(BaseCommand):
    help = "Issue an API token for the user with EMAIL; the key is printed once and never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="email of the user the token acts as")
        parser.add_argument("name", help="what the token is for, e.g. 'SIASN export'")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No user with email {options['email']!r}.")
        try:
            token, key = issue_token(user, options["name"], acting_user=None)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token {token.name!r} ({token.prefix}…) for {user.email}. "
            "Copy the key now: it is not stored and cannot be shown again."
        )
        self.stdout.write(key)
