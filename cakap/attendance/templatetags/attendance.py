"""How attendance is taken, shown read only where it helps: the programme's policy on
its page, a session's window and venue on its page and on the coach's check-in screen.
`{% load attendance %}`; each tag reads the policy and the venue itself (one query each
at most), so the pages of other apps need not know attendance's models."""

from django import template

from cakap.attendance.models import AttendancePolicy
from cakap.attendance.queries import session_rules
from cakap.attendance.windows import map_link, place_for, policy_for
from cakap.programmes.models import Programme, Session

register = template.Library()


@register.inclusion_tag("attendance/_policy_card.html")
def policy_card(programme: Programme, manage: bool = False) -> dict[str, object]:
    """The programme's policy in words, with the organiser's way to change it."""
    policy = policy_for(programme)
    place = place_for(policy)
    return {
        "programme": programme,
        "policy": policy,
        "place": place,
        "map_url": map_link(place.latitude, place.longitude) if place else "",
        "manage": manage,
        "modes": AttendancePolicy.LocationMode,
    }


@register.inclusion_tag("attendance/_session_rules.html")
def session_checkin_card(session: Session, manage: bool = False) -> dict[str, object]:
    """The session's window, lateness and venue, with the organiser's way to change them."""
    return {"rules": session_rules(session), "manage": manage, "card": True}


@register.inclusion_tag("attendance/_session_rules.html")
def checkin_rules(session: Session) -> dict[str, object]:
    """One line for the coach's screen: the window and when lateness starts."""
    return {"rules": session_rules(session), "manage": False, "card": False}
