"""Who may see and change which attendance records, rolls, recaps and absence requests.

Built on cakap.programmes.access. A participant sees only their own records, even in a
session they can see; a coach the records of the groups they coach; an organiser those
of the programmes they manage; a leader those of the people of their units.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cakap.attendance.models import AbsenceRequest, AttendanceRecord
from cakap.core.lookups import get_or_404
from cakap.people.access import is_admin, scope_paths, under
from cakap.people.models import RoleAssignment, User
from cakap.programmes.access import programmes_managed_by
from cakap.programmes.models import Enrolment, Group, Programme, Session

Role = RoleAssignment.Role


def records_visible_to(user: User) -> QuerySet[AttendanceRecord]:
    if not user.is_authenticated:
        return AttendanceRecord.objects.none()
    if is_admin(user):
        return AttendanceRecord.objects.all()
    q = (
        Q(person__user=user)
        | Q(session__group__coaches__user=user)
        | Q(session__group__programme__in=programmes_managed_by(user))
    )
    leader = scope_paths(user, Role.LEADER)
    if leader:
        q |= under(leader, "person__unit__path")
    ids = AttendanceRecord.objects.filter(q).values("pk")
    return AttendanceRecord.objects.filter(pk__in=ids)


def sessions_for_roll(user: User) -> QuerySet[Session]:
    """Sessions whose roll `user` may take: coaches of the group, organisers of the
    programme, administrators."""
    if not user.is_authenticated:
        return Session.objects.none()
    if is_admin(user):
        return Session.objects.all()
    q = Q(group__coaches__user=user) | Q(group__programme__in=programmes_managed_by(user))
    return Session.objects.filter(pk__in=Session.objects.filter(q).values("pk"))


def can_take_roll(user: User, session: Session) -> bool:
    return sessions_for_roll(user).filter(pk=session.pk).exists()


def get_session_for_roll(user: User, pk: int) -> Session:
    return get_or_404(
        sessions_for_roll(user).select_related(
            "group__programme__attendance_policy", "module", "coach", "attendance"
        ),
        pk,
    )


def groups_for_recap(user: User) -> QuerySet[Group]:
    """Groups whose recap `user` may read: organisers of the programme and the group's
    coaches."""
    if not user.is_authenticated:
        return Group.objects.none()
    if is_admin(user):
        return Group.objects.all()
    q = Q(coaches__user=user) | Q(programme__in=programmes_managed_by(user))
    return Group.objects.filter(pk__in=Group.objects.filter(q).values("pk"))


def get_group_for_recap(user: User, pk: int) -> Group:
    """A group whose recap files `user` may download: its coaches and organisers."""
    return get_or_404(groups_for_recap(user).select_related("programme"), pk)


def get_programme_for_recap(user: User, pk: int) -> Programme:
    """The whole-programme recap files are the organiser's."""
    return get_or_404(programmes_managed_by(user), pk)


@dataclass(frozen=True)
class RecapView:
    """What a viewer reads of a recap (the recap pages, the at-risk list, the heatmap):
    `people` filters the enrolments to the participants they may see; `runs` is for
    those who run the programme or the group (organisers, administrators, the group's
    coaches: links to the rolls, the downloads), never for a leader, who only reads."""

    people: Q
    runs: bool


EVERYONE = Q()


def _led_people(user: User) -> Q | None:
    """Leaders read the participants of their units' subtrees (the Bupati's or the
    Sekda's is the regency root: everyone)."""
    paths = scope_paths(user, Role.LEADER)
    return under(paths, "person__unit__path") if paths else None


def _has_led(people: Q, **where: object) -> Exists:
    return Exists(Enrolment.objects.active().filter(people, **where))


def get_programme_recap(user: User, pk: int) -> tuple[Programme, RecapView]:
    """A programme's recap and at-risk list: every participant for its organisers; for a
    leader, read-only, the participants of their units, if it has any (404 otherwise)."""
    managed = programmes_managed_by(user).filter(pk=pk).first()
    if managed is not None:
        return managed, RecapView(EVERYONE, runs=True)
    people = _led_people(user)
    if people is None:
        raise Http404
    led = Programme.objects.filter(_has_led(people, programme=OuterRef("pk")))
    return get_or_404(led, pk), RecapView(people, runs=False)


def get_group_recap(user: User, pk: int) -> tuple[Group, RecapView]:
    """A group's recap (its heatmap): everyone for its coaches and the organisers; for a
    leader, read-only, the participants of their units, if it has any (404 otherwise)."""
    run = groups_for_recap(user).select_related("programme").filter(pk=pk).first()
    if run is not None:
        return run, RecapView(EVERYONE, runs=True)
    people = _led_people(user)
    if people is None:
        raise Http404
    led = Group.objects.select_related("programme").filter(_has_led(people, group=OuterRef("pk")))
    return get_or_404(led, pk), RecapView(people, runs=False)


def absence_requests_visible_to(user: User) -> QuerySet[AbsenceRequest]:
    """Participants see their own requests; organisers those of the programmes they
    manage; coaches those of their groups (read only)."""
    if not user.is_authenticated:
        return AbsenceRequest.objects.none()
    if is_admin(user):
        return AbsenceRequest.objects.all()
    q = (
        Q(person__user=user)
        | Q(session__group__coaches__user=user)
        | Q(session__group__programme__in=programmes_managed_by(user))
    )
    return AbsenceRequest.objects.filter(pk__in=AbsenceRequest.objects.filter(q).values("pk"))


def absence_requests_decidable_by(user: User) -> QuerySet[AbsenceRequest]:
    if not user.is_authenticated:
        return AbsenceRequest.objects.none()
    if is_admin(user):
        return AbsenceRequest.objects.all()
    return AbsenceRequest.objects.filter(session__group__programme__in=programmes_managed_by(user))


def can_decide_absences(user: User) -> bool:
    return is_admin(user) or bool(scope_paths(user, Role.ORGANISER))


def has_to_do_with(user: User, programme: Programme) -> bool:
    """Whether `user` takes part in `programme` (an enrolment in any of its groups, of
    any status), coaches one of its groups or manages it. A scan link of a session of
    any other programme answers as a link to no session at all: it names nothing and
    stores nothing (decision 52)."""
    if not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    return Programme.objects.filter(
        Q(pk=programme.pk),
        Q(enrolments__person__user=user)
        | Q(groups__coaches__user=user)
        | Q(pk__in=programmes_managed_by(user).values("pk")),
    ).exists()


def get_session_to_manage(user: User, pk: int) -> Session:
    """A session whose venue and window `user` may change: of a programme they manage."""
    return get_or_404(
        Session.objects.select_related("group__programme", "attendance").filter(
            group__programme__in=programmes_managed_by(user)
        ),
        pk,
    )
