"""Who may see and change frameworks, instruments, administrations, attempts and scores.

Frameworks are not personal data: every signed-in user reads them. Instruments and
administrations follow their programme (cakap.programmes.access). Answers and scores
are personal: a participant sees their own, a coach the participants of the groups
they coach, a leader the people of their units, organisers of the programme and
administrators everyone. Anything outside the scope answers 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cakap.competence.models import Administration, Attempt, Framework, Instrument
from cakap.core.lookups import get_or_404
from cakap.people.access import is_admin, scope_paths, under
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.access import programmes_managed_by, programmes_visible_to
from cakap.programmes.models import Enrolment, Group, Programme

Role = RoleAssignment.Role


def frameworks_visible_to(user: User) -> QuerySet[Framework]:
    if not user.is_authenticated:
        return Framework.objects.none()
    return Framework.objects.all()


def frameworks_managed_by(user: User) -> QuerySet[Framework]:
    """Frameworks the user may change: never the shipped ones; organisers those owned by
    a unit of their scope; administrators every other."""
    if not user.is_authenticated:
        return Framework.objects.none()
    own = Framework.objects.filter(builtin=False)
    if is_admin(user):
        return own
    return own.filter(under(scope_paths(user, Role.ORGANISER), "owner_unit__path"))


def get_framework_for_user(user: User, pk: int) -> Framework:
    return get_or_404(frameworks_visible_to(user), pk)


def instruments_visible_to(user: User) -> QuerySet[Instrument]:
    if not user.is_authenticated:
        return Instrument.objects.none()
    return Instrument.objects.filter(programme__in=programmes_visible_to(user))


def instruments_managed_by(user: User) -> QuerySet[Instrument]:
    if not user.is_authenticated:
        return Instrument.objects.none()
    return Instrument.objects.filter(programme__in=programmes_managed_by(user))


def get_instrument_for_user(user: User, pk: int) -> Instrument:
    instrument = (
        instruments_visible_to(user).select_related("programme", "framework").filter(pk=pk).first()
    )
    if instrument is None:
        raise Http404
    return instrument


def get_managed_instrument(user: User, pk: int) -> Instrument:
    instrument = (
        instruments_managed_by(user).select_related("programme", "framework").filter(pk=pk).first()
    )
    if instrument is None:
        raise Http404
    return instrument


def administrations_visible_to(user: User) -> QuerySet[Administration]:
    if not user.is_authenticated:
        return Administration.objects.none()
    return Administration.objects.filter(instrument__programme__in=programmes_visible_to(user))


def get_administration_for_user(user: User, pk: int) -> Administration:
    return get_or_404(
        administrations_visible_to(user).select_related(
            "instrument__programme", "instrument__framework"
        ),
        pk,
    )


def can_manage_programme(user: User, programme: Programme) -> bool:
    return programmes_managed_by(user).filter(pk=programme.pk).exists()


def coaches_programme(user: User, programme: Programme) -> bool:
    return Group.objects.filter(programme=programme, coaches__user=user).exists()


def participants_visible_to(user: User, programme: Programme) -> QuerySet[Person]:
    """The programme's active participants whose answers and scores `user` may see."""
    enrolled = Person.objects.filter(Enrolment.active_q("enrolments", programme=programme))
    if not user.is_authenticated:
        return Person.objects.none()
    if is_admin(user) or can_manage_programme(user, programme):
        return enrolled
    q = Q(user=user)
    coached = Group.objects.filter(programme=programme, coaches__user=user).values("pk")
    q |= Q(pk__in=Enrolment.objects.active().filter(group__in=coached).values("person_id"))
    leader = scope_paths(user, Role.LEADER)
    if leader:
        q |= under(leader, "unit__path")
    return enrolled.filter(q)


def groups_for_results(user: User, programme: Programme) -> QuerySet[Group]:
    """Groups of the programme whose heatmap the user may open: all for organisers and
    administrators, their own for coaches."""
    groups = Group.objects.filter(programme=programme)
    if is_admin(user) or can_manage_programme(user, programme):
        return groups
    return groups.filter(coaches__user=user)


def attempts_visible_to(user: User) -> QuerySet[Attempt]:
    """Attempts (with their answers and scores) the user may read."""
    if not user.is_authenticated:
        return Attempt.objects.none()
    if is_admin(user):
        return Attempt.objects.all()
    q = Q(person__user=user) | Q(
        administration__instrument__programme__in=programmes_managed_by(user)
    )
    # The coach's condition pairs the person with the programme, so it is a correlated
    # look-up; asked only of a login that coaches at all, since for everyone else it
    # would cost one look-up per attempt for nothing.
    if Group.objects.filter(coaches__user=user).exists():
        q |= Q(
            Exists(
                Enrolment.objects.active().filter(
                    group__coaches__user=user,
                    person=OuterRef("person"),
                    programme=OuterRef("administration__instrument__programme"),
                )
            )
        )
    leader = scope_paths(user, Role.LEADER)
    if leader:
        q |= under(leader, "person__unit__path")
    # Every condition is on the attempt's own single-valued relations: no duplicates.
    return Attempt.objects.filter(q)


def get_participant_for_results(user: User, programme: Programme, pk: int) -> Person:
    return get_or_404(participants_visible_to(user, programme).select_related("unit"), pk)


def owner_unit_of(user: User) -> Unit | None:
    """The unit that owns a framework the user creates: their widest organiser scope."""
    paths = scope_paths(user, RoleAssignment.Role.ORGANISER)
    return Unit.objects.filter(path__in=paths).order_by("path").first()
