"""Who may see and change which programmes, groups and sessions."""

from django.db.models import Q, QuerySet

from cakap.core.lookups import get_or_404
from cakap.people.access import is_admin, people_editable_by, scope_paths, under
from cakap.people.models import Person, RoleAssignment, User
from cakap.programmes.models import Enrolment, Group, Programme, Session

Role = RoleAssignment.Role


def _programme_q(user: User) -> Q:
    """Programmes a user may see: organised in their organiser scope, coached by them,
    taken by them, or (leaders) taken by people of their units.

    The conditions on groups and enrolments are sub-selects of programme ids found from
    the user's side, not joins ORed together: a leader's join of every group's coaches
    with every enrolment multiplied a province's programme into millions of rows."""
    coached = Group.objects.filter(coaches__user=user).values("programme_id")
    taken = Enrolment.objects.active().filter(person__user=user).values("programme_id")
    q = Q(pk__in=coached) | Q(pk__in=taken)
    organiser = scope_paths(user, Role.ORGANISER)
    if organiser:
        q |= under(organiser, "organiser_unit__path")
        q |= under(organiser, "coaching_unit__path")
    leader = scope_paths(user, Role.LEADER)
    if leader:
        units = Enrolment.objects.filter(under(leader, "person__unit__path"))
        q |= Q(pk__in=units.values("programme_id"))
    return q


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    if not user.is_authenticated:
        return Programme.objects.none()
    if is_admin(user):
        return Programme.objects.all()
    return Programme.objects.filter(_programme_q(user))


def programmes_managed_by(user: User) -> QuerySet[Programme]:
    """Programmes the user may change: admins all, organisers those of their scope."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if is_admin(user):
        return Programme.objects.all()
    organiser = scope_paths(user, Role.ORGANISER)
    return Programme.objects.filter(under(organiser, "organiser_unit__path"))


def get_programme_for_user(user: User, pk: int) -> Programme:
    return get_or_404(programmes_visible_to(user), pk)


def get_managed_programme(user: User, pk: int) -> Programme:
    return get_or_404(programmes_managed_by(user), pk)


def can_manage(user: User, programme: Programme) -> bool:
    return programmes_managed_by(user).filter(pk=programme.pk).exists()


def is_programme_staff(user: User, programme: Programme) -> bool:
    """Whether `user` works on a programme they see rather than only taking part in it:
    its organisers, its coaches, leaders and administrators open its staff pages
    (instruments, results); a participant opens their own."""
    if not user.is_authenticated:
        return False
    return (
        is_admin(user)
        or can_manage(user, programme)
        or Group.objects.filter(programme=programme, coaches__user=user).exists()
        or bool(scope_paths(user, Role.LEADER))
    )


def groups_visible_to(user: User) -> QuerySet[Group]:
    """Organisers and leaders see every group of the programmes they see; a coach their
    own groups; a participant the group they are in."""
    if not user.is_authenticated:
        return Group.objects.none()
    if is_admin(user):
        return Group.objects.all()
    wide = Q(programme__in=programmes_managed_by(user))
    leader = scope_paths(user, Role.LEADER)
    if leader:
        wide |= under(leader, "enrolments__person__unit__path")
    q = wide | Q(coaches__user=user) | Enrolment.active_q("enrolments", person__user=user)
    return Group.objects.filter(pk__in=Group.objects.filter(q).values("pk"))


def sessions_visible_to(user: User) -> QuerySet[Session]:
    if not user.is_authenticated:
        return Session.objects.none()
    if is_admin(user):
        return Session.objects.all()
    return Session.objects.filter(group__in=groups_visible_to(user))


def sessions_coached_by(user: User) -> QuerySet[Session]:
    """Sessions of the groups `user` coaches (whose roll and check-in screen they run)."""
    if not user.is_authenticated:
        return Session.objects.none()
    return Session.objects.filter(group__in=Group.objects.filter(coaches__user=user).values("pk"))


def enrolments_visible_to(user: User) -> QuerySet[Enrolment]:
    if not user.is_authenticated:
        return Enrolment.objects.none()
    if is_admin(user):
        return Enrolment.objects.all()
    q = (
        Q(programme__in=programmes_managed_by(user))
        | Q(group__coaches__user=user)
        | Q(person__user=user)
    )
    leader = scope_paths(user, Role.LEADER)
    if leader:
        q |= under(leader, "person__unit__path")
    return Enrolment.objects.filter(pk__in=Enrolment.objects.filter(q).values("pk"))


def get_session_for_user(user: User, pk: int) -> Session:
    return get_or_404(sessions_visible_to(user), pk)


def people_enrollable_by(user: User) -> QuerySet[Person]:
    """People `user` may enrol in the programmes they manage: an organiser the people of
    their own units' subtrees, an administrator everyone. Enrolling takes both this and
    managing the programme (`programmes_managed_by`)."""
    return people_editable_by(user)


def get_managed_group(user: User, pk: int) -> Group:
    """A group of a programme `user` manages, with its programme; 404 otherwise."""
    return get_or_404(
        Group.objects.select_related("programme").filter(programme__in=programmes_managed_by(user)),
        pk,
    )
