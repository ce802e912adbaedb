"""A login that gains a capability beyond taking part loses what personal links gave it
(links.end_link_sign_ins). Signals, because capabilities are granted in several apps
and on the admin site, and people and programmes know nothing of links.

A session moved to another time hands its venue (address, point, radius, window
overrides) to its replacement, as programmes hands on the venue's name and link:
programmes knows nothing of attendance's venues (decision 83)."""

from django.db import models
from django.db.models.signals import m2m_changed, post_save

from cakap.attendance.links import end_link_sign_ins
from cakap.attendance.models import SessionVenue
from cakap.core import audit
from cakap.people.access import capabilities_beyond_taking_part
from cakap.people.models import Person, RoleAssignment, User
from cakap.programmes.models import Group, Session


def _gained(user: User | None) -> None:
    if user is not None and user.pk is not None and capabilities_beyond_taking_part(user):
        end_link_sign_ins(user)


def _user_saved(sender: type[User], instance: User, **kwargs: object) -> None:
    if instance.is_staff or instance.is_superuser:
        end_link_sign_ins(instance)


def _role_saved(sender: type[RoleAssignment], instance: RoleAssignment, **kwargs: object) -> None:
    end_link_sign_ins(instance.user)


def _coaches_changed(
    sender: type[models.Model],
    instance: Group | Person,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: object,
) -> None:
    if action != "post_add" or not pk_set:
        return
    if reverse:  # person.coached_groups.add(group)
        assert isinstance(instance, Person)
        people = [instance]
    else:
        people = list(Person.objects.filter(pk__in=pk_set).select_related("user"))
    for person in people:
        _gained(person.user)


def _session_saved(sender: type[Session], instance: Session, **kwargs: object) -> None:
    if instance.coach_id is not None:
        coach = Person.objects.filter(pk=instance.coach_id).select_related("user").first()
        _gained(coach.user if coach else None)


_HANDED_ON = (
    "address",
    "latitude",
    "longitude",
    "radius_m",
    "opens_before_min",
    "closes_after_min",
)


def _session_moved(
    sender: type[Session],
    instance: Session,
    update_fields: frozenset[str] | None = None,
    **kwargs: object,
) -> None:
    if not update_fields or "moved_to" not in update_fields or instance.moved_to_id is None:
        return
    old = SessionVenue.objects.filter(session=instance.pk).first()
    if old is None or SessionVenue.objects.filter(session=instance.moved_to_id).exists():
        return
    new = SessionVenue.objects.create(
        session_id=instance.moved_to_id, **{f: getattr(old, f) for f in _HANDED_ON}
    )
    audit.record(
        "session_venue.updated",
        new,
        after=audit.snapshot(new, _HANDED_ON),
        note=f"handed on from session {instance.pk}, moved",
        acting_user=None,
    )


def connect() -> None:
    post_save.connect(_user_saved, sender=User, dispatch_uid="cakap.links.user")
    post_save.connect(_role_saved, sender=RoleAssignment, dispatch_uid="cakap.links.role")
    m2m_changed.connect(
        _coaches_changed, sender=Group.coaches.through, dispatch_uid="cakap.links.coaches"
    )
    post_save.connect(_session_saved, sender=Session, dispatch_uid="cakap.links.session")
    post_save.connect(_session_moved, sender=Session, dispatch_uid="cakap.venues.moved")
