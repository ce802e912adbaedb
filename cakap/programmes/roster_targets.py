"""The groups a roster import can enrol its people into (people.roster_targets): the
open groups of the programmes the importer manages, enrolled through
`services.enrolments.enrol_people`, the one writer of bulk enrolment, so that history and
audit are those of any enrolment."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cakap.people.models import Person, User
from cakap.people.roster_targets import EnrolmentReport, Target
from cakap.programmes import services
from cakap.programmes.access import programmes_managed_by
from cakap.programmes.models import Group, Programme
from cakap.programmes.outcomes import Outcome
from cakap.programmes.services.enrolments import enrol_people

PREFIX = "group:"


def _groups(user: User | None) -> QuerySet[Group]:
    programmes = Programme.objects.all() if user is None else programmes_managed_by(user)
    return (
        Group.objects.filter(programme__in=programmes)
        .exclude(programme__status__in=[Programme.Status.FINISHED, Programme.Status.CANCELLED])
        .select_related("programme")
        .order_by("programme__title", "programme_id", "name", "pk")
    )


def _target(group: Group) -> Target:
    return Target(f"{PREFIX}{group.pk}", f"{group.programme.title} — {group.name}")


class GroupTargets:
    """A `people.roster_targets.TargetSource` over the groups of programmes."""

    def targets_for(self, user: User | None) -> list[Target]:
        return [_target(g) for g in _groups(user)]

    @transaction.atomic
    def enrol(self, key: str, people: list[Person], *, acting_user: User | None) -> EnrolmentReport:
        """Enrol each person into the group; one already in it is reported, one in another
        group of the programme is reported and left there (moving is a choice of its own)."""
        pk = key.removeprefix(PREFIX)
        group = _groups(acting_user).filter(pk=int(pk)).first() if pk.isdigit() else None
        if group is None:
            raise services.EnrolmentError(
                "unknown_group", _("The chosen group is not one you can enrol people into.")
            )
        report = EnrolmentReport(_target(group))
        for result in enrol_people(group, people, acting_user=acting_user):
            if result.outcome == Outcome.ENROLLED:
                report.enrolled.append(result.person)
            elif result.outcome == Outcome.ALREADY_IN_GROUP:
                report.already.append(result.person)
            else:
                report.elsewhere.append((result.person, result.group_name))
        return report
