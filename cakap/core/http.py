"""Small helpers for views."""

from django.http import HttpRequest

from cakap.people.models import User


def signed_in(request: HttpRequest) -> User:
    """The user of a request that `login_required` has let through, typed as ours."""
    user = request.user
    assert isinstance(user, User), "views using signed_in() must be login_required"
    return user
