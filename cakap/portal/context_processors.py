from django.http import HttpRequest

from cakap.people.access import is_admin, is_organiser


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"nav_is_admin": is_admin(user), "nav_is_organiser": is_organiser(user)}
