"""Who may see which notices. A person sees and sets their own; the organisers of a
person (people's editing scope) read that person's delivery log. A programme's log and a
session's WhatsApp list are scoped by the apps above that know programmes
(cakap.attendance.views.notices, through attendance's and programmes' access)."""

from cakap.people.access import get_person_for_editing, person_of
from cakap.people.models import Person, User


def own_person(user: User) -> Person | None:
    """The person whose notices `user` sets: their own, or None for a login without one."""
    return person_of(user)


def get_person_for_log(user: User, pk: int) -> Person:
    """A person whose whole delivery log `user` may read: one they may edit (404 else)."""
    return get_person_for_editing(user, pk)
