"""The API's people list costs the same whatever the number of people: the scope is a
few sub-selects, not joins that multiply the rows, the page is 50 rows read once, and
the personas see exactly whom the joined form of the rule let them see."""

import pytest
from django.db.models import Q

from cakap.people.access import partly_seen_ids, people_visible_to, scope_paths, under
from cakap.people.models import Person, RoleAssignment
from cakap.people.tests.test_api_people import bearer
from cakap.programmes.models import Enrolment, Session

PERSONAS = ["admin", "organiser", "leader", "coach", "participant", "leader_other"]


def _crowd(world, n: int) -> None:
    people = Person.objects.bulk_create(
        Person(nip=f"19800101200501{i:04d}", name=f"Peserta {i:04d}", unit=world.dinkes)
        for i in range(n)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            programme=world.programme,
            group=world.group_a if i % 2 else world.group_b,
            person=p,
        )
        for i, p in enumerate(people)
    )


def _joined_in_full(user) -> Q:
    q = Q(user=user)
    paths = scope_paths(user, RoleAssignment.Role.ORGANISER, RoleAssignment.Role.LEADER)
    if paths:
        q |= under(paths, "unit__path")
    return q | Q(enrolments__status="active", enrolments__group__coaches__user=user)


def _joined_rule(user) -> set[int]:
    """The rule as it was written before, with the relations joined: the reference."""
    if user.is_superuser:
        return set(Person.objects.values_list("pk", flat=True))
    q = _joined_in_full(user) | Q(
        coached_groups__enrolments__person__user=user,
        coached_groups__enrolments__status="active",
    )
    return set(Person.objects.filter(q).values_list("pk", flat=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_exactly_whom_the_joined_rule_showed(world, persona):
    _crowd(world, 6)
    # A coach named on a session of a group the participant is in, not on the group.
    Session.objects.filter(group=world.group_a).update(coach=Person.objects.get(name="Other"))
    user = getattr(world, persona)
    assert set(people_visible_to(user).values_list("pk", flat=True)) == _joined_rule(user)
    if not user.is_superuser:
        partly = Person.objects.filter(
            Q(coached_groups__enrolments__person__user=user)
            | Q(coached_sessions__group__enrolments__person__user=user)
        ).exclude(pk__in=Person.objects.filter(_joined_in_full(user)).values("pk"))
        assert partly_seen_ids(user) == set(partly.values_list("pk", flat=True))


@pytest.mark.parametrize("n", [20, 400])
@pytest.mark.parametrize("persona", ["admin", "organiser", "leader", "coach", "participant"])
def test_the_first_page_costs_the_same_at_any_size(
    world, django_assert_max_num_queries, persona, n
):
    _crowd(world, n)
    client = bearer(getattr(world, persona))
    # The token, the roles, the page, the count, the people seen only partly.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/people?page=1&page_size=50")
    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == min(50, body["count"])
    assert body["count"] == len(set(people_visible_to(getattr(world, persona))))
