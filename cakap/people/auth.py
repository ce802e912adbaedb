"""Sign-in by NIP or email."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from cakap.people.models import User
from cakap.people.nip import NipError, parse_nip


def find_user(identifier: str) -> User | None:
    """The active user whose email or person's NIP is `identifier`."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier, is_active=True).first()
    try:
        digits = parse_nip(identifier).digits
    except NipError:
        return None
    return User.objects.filter(person__nip=digits, is_active=True).first()


class NipOrEmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a request, with their person in the same query (a
        check-in reads it)."""
        user = User.objects.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def lockout_username(request: HttpRequest | None, credentials: dict[str, Any] | None = None) -> str:
    """The name django-axes counts failed log-ins under (AXES_USERNAME_CALLABLE).

    One account has many spellings (grouped NIP, plain NIP, dotted NIP, email in any case);
    counting them apart would let an attacker multiply the allowed attempts. Known accounts
    count under their email, unknown identifiers under a normalised form.
    """
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    identifier = str(raw or "").strip()
    user = find_user(identifier)
    if user is not None:
        return user.email.lower()
    if "@" in identifier:
        return identifier.lower()
    try:
        return parse_nip(identifier).digits
    except NipError:
        return identifier.lower()
