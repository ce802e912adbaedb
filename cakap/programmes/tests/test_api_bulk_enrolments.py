"""The bulk enrolment API: enrol many by person ids or NIPs (with a dry run), move many
and withdraw many, with per-item results, the same scopes as the pages, and query
counts that do not grow per person."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakap.core.models import AuditEntry
from cakap.people.models import Person, Unit
from cakap.programmes.models import Enrolment
from conftest import client_for


@pytest.fixture
def newcomers(world):
    return [
        Person.objects.create(nip=f"19800101200501{1000 + i + 1}", name=f"N{i}", unit=world.dinkes)
        for i in range(3)
    ]


def _post(user, path, body):
    return client_for(user).post(path, json.dumps(body), content_type="application/json")


def _enrol_url(world):
    return f"/api/v1/groups/{world.group_a.pk}/enrolments"


def _move_url(world):
    return f"/api/v1/programmes/{world.programme.pk}/enrolments/move"


def _withdraw_url(world):
    return f"/api/v1/programmes/{world.programme.pk}/enrolments/withdraw"


def test_enrol_by_ids_answers_per_item_in_order(world, newcomers):
    other = Person.objects.get(user=world.other_participant)
    ids = [newcomers[0].pk, other.pk, newcomers[0].pk, 999999]
    response = _post(world.organiser, _enrol_url(world), {"person_ids": ids})
    assert response.status_code == 200
    body = response.json()
    assert [i["outcome"] for i in body["items"]] == [
        "enrolled",
        "in_other_group",
        "repeated",
        "unknown_person",
    ]
    assert body["changed"] == 1
    first = body["items"][0]
    assert first["person"]["nip"] == newcomers[0].nip
    assert first["group"] == {"id": world.group_a.pk, "name": "A"}
    assert Enrolment.objects.active().get(person=newcomers[0]).pk == first["enrolment_id"]
    assert body["items"][1]["group"]["name"] == "B"


def test_enrol_by_nips_reads_grouped_nips_and_names_bad_ones(world, newcomers):
    response = _post(
        world.organiser,
        _enrol_url(world),
        {"nips": ["19800101 200501 1 001", "12", "199901012020011099"]},
    )
    items = response.json()["items"]
    assert [i["outcome"] for i in items] == ["enrolled", "malformed", "unknown_nip"]
    assert items[1]["person"] is None
    assert Enrolment.objects.active().filter(person=newcomers[0], group=world.group_a).exists()


def test_a_dry_run_changes_nothing(world, newcomers):
    before = (Enrolment.objects.count(), AuditEntry.objects.count())
    response = _post(
        world.organiser,
        _enrol_url(world),
        {"person_ids": [p.pk for p in newcomers], "dry_run": True},
    )
    body = response.json()
    assert body["dry_run"] is True and body["changed"] == 0
    assert [i["outcome"] for i in body["items"]] == ["will_enrol"] * 3
    assert (Enrolment.objects.count(), AuditEntry.objects.count()) == before


def test_repeating_the_request_enrols_nobody_twice(world, newcomers):
    body = {"person_ids": [p.pk for p in newcomers]}
    _post(world.organiser, _enrol_url(world), body)
    again = _post(world.organiser, _enrol_url(world), body).json()
    assert [i["outcome"] for i in again["items"]] == ["already_in_group"] * 3
    assert Enrolment.objects.filter(person__in=newcomers).count() == 3


def test_people_outside_the_organisers_units_are_never_enrolled_nor_named(world):
    unit = Unit.objects.create(name="Kabupaten Lain", kind=Unit.Kind.REGENCY)
    outsider = Person.objects.create(nip="197707072002121007", name="Luar", unit=unit)
    items = _post(
        world.organiser, _enrol_url(world), {"person_ids": [outsider.pk], "nips": []}
    ).json()["items"]
    assert items[0]["outcome"] == "unknown_person" and items[0]["person"] is None
    items = _post(world.organiser, _enrol_url(world), {"nips": [outsider.nip]}).json()["items"]
    assert items[0]["outcome"] == "out_of_scope" and items[0]["person"] is None
    assert not Enrolment.objects.filter(person=outsider).exists()


def test_both_or_neither_list_is_refused_naming_the_field(world, newcomers):
    for body in ({}, {"person_ids": [newcomers[0].pk], "nips": [newcomers[1].nip]}):
        response = _post(world.organiser, _enrol_url(world), body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "person_ids"
    assert not Enrolment.objects.filter(person__in=newcomers).exists()


def test_a_coach_gets_403_and_nothing_changes(world, newcomers):
    response = _post(world.coach, _enrol_url(world), {"person_ids": [newcomers[0].pk]})
    assert response.status_code == 403
    assert not Enrolment.objects.filter(person=newcomers[0]).exists()


def test_a_participant_cannot_see_the_group_of_another(world, newcomers):
    url = f"/api/v1/groups/{world.group_b.pk}/enrolments"
    response = _post(world.participant, url, {"person_ids": [newcomers[0].pk]})
    assert response.status_code == 404


def test_the_queries_of_enrol_many_do_not_grow_per_person(world):
    people = [
        Person.objects.create(nip=f"19800101200502{1000 + i + 1}", name=f"M{i}", unit=world.dinkes)
        for i in range(30)
    ]
    client = client_for(world.organiser)

    def post(ids):
        return client.post(
            _enrol_url(world), json.dumps({"person_ids": ids}), content_type="application/json"
        )

    post([people[0].pk])
    with CaptureQueriesContext(connection) as few:
        post([people[1].pk, people[2].pk])
    with CaptureQueriesContext(connection) as many:
        response = post([p.pk for p in people[3:]])
    assert response.json()["changed"] == 27
    assert len(many) == len(few)


# Move and withdraw -----------------------------------------------------------------------


@pytest.fixture
def enrolled(world, newcomers):
    _post(world.organiser, _enrol_url(world), {"person_ids": [p.pk for p in newcomers]})
    return list(Enrolment.objects.active().filter(person__in=newcomers).order_by("pk"))


def test_move_many_answers_per_item_and_keeps_history(world, enrolled):
    ids = [enrolled[0].pk, enrolled[1].pk, 987654]
    response = _post(
        world.organiser,
        _move_url(world),
        {"enrolment_ids": ids, "to_group_id": world.group_b.pk, "reason": "Bentrok"},
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["outcome"] for i in items] == ["moved", "moved", "not_found"]
    assert items[0]["group"]["name"] == "B"
    old = Enrolment.objects.get(pk=enrolled[0].pk)
    assert (old.status, old.end_reason) == ("moved", "Bentrok")
    assert Enrolment.objects.get(pk=items[0]["enrolment_id"]).group == world.group_b
    again = _post(
        world.organiser,
        _move_url(world),
        {"enrolment_ids": ids, "to_group_id": world.group_b.pk, "reason": "Bentrok"},
    ).json()
    assert [i["outcome"] for i in again["items"]] == ["already_moved", "already_moved", "not_found"]
    assert again["changed"] == 0


def test_move_to_a_group_of_another_programme_is_refused(world, enrolled):
    from cakap.programmes.models import Group, Programme

    other = Programme.objects.create(
        title="Lain",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=world.programme.start_date,
        end_date=world.programme.end_date,
    )
    elsewhere = Group.objects.create(programme=other, name="X")
    response = _post(
        world.organiser,
        _move_url(world),
        {"enrolment_ids": [enrolled[0].pk], "to_group_id": elsewhere.pk, "reason": "R"},
    )
    assert response.status_code == 422
    assert Enrolment.objects.get(pk=enrolled[0].pk).status == "active"


def test_withdraw_many_needs_a_reason_and_repeats_harmlessly(world, enrolled):
    ids = [e.pk for e in enrolled]
    response = _post(world.organiser, _withdraw_url(world), {"enrolment_ids": ids, "reason": " "})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert Enrolment.objects.filter(pk__in=ids, status="active").count() == 3
    body = _post(world.organiser, _withdraw_url(world), {"enrolment_ids": ids, "reason": "Mutasi"})
    assert [i["outcome"] for i in body.json()["items"]] == ["withdrawn"] * 3
    again = _post(world.organiser, _withdraw_url(world), {"enrolment_ids": ids, "reason": "Mutasi"})
    assert [i["outcome"] for i in again.json()["items"]] == ["already_withdrawn"] * 3
    assert AuditEntry.objects.filter(action="enrolment.withdrawn").count() == 3


def test_a_coach_cannot_move_or_withdraw(world, enrolled):
    for url, body in (
        (
            _move_url(world),
            {"enrolment_ids": [enrolled[0].pk], "to_group_id": world.group_b.pk, "reason": "R"},
        ),
        (_withdraw_url(world), {"enrolment_ids": [enrolled[0].pk], "reason": "R"}),
    ):
        assert _post(world.coach, url, body).status_code == 403
    assert Enrolment.objects.get(pk=enrolled[0].pk).status == "active"


def test_an_empty_list_is_refused(world):
    response = _post(world.organiser, _withdraw_url(world), {"enrolment_ids": [], "reason": "R"})
    assert response.status_code == 422
