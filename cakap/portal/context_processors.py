from django.http import HttpRequest

from cakap.people.access import is_admin, is_organiser


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_is_admin": is_admin(user),
        "nav_is_organiser": is_organiser(user),
        "nav_has_person": _has_person(user),
    }


def _has_person(user: object) -> bool:
    """Whether the login belongs to a civil servant (an administrator's may not): only
    a person has a card. The login backend reads the person with the user, so this asks
    nothing more of the database."""
    return getattr(user, "person", None) is not None
