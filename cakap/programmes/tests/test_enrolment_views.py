"""The group page: search, enrol, move and withdraw participants through the HTTP client."""

import pytest

from cakap.people.models import Person, Unit
from cakap.programmes.models import Enrolment
from conftest import client_for, in_english


@pytest.fixture
def newcomer(world):
    return Person.objects.create(
        nip="198001012005011001", name="Rina Newcomer", unit=world.dinkes, position="Sekretaris"
    )


def _group_url(world, group=None):
    return f"/programmes/groups/{(group or world.group_a).pk}/"


def test_search_by_name_answers_htmx_with_the_results_only(world, newcomer):
    response = client_for(world.organiser).get(
        _group_url(world), {"q": "rina"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.templates[0].name == "programmes/_person_results.html"
    assert "Rina Newcomer" in body
    assert "19800101 200501 1 001" in body
    assert "<html" not in body


def test_search_by_grouped_nip_works_without_htmx(world, newcomer):
    response = client_for(world.organiser).get(_group_url(world), {"q": "19800101 200501"})
    assert [p.name for p in response.context["results"]] == ["Rina Newcomer"]


def test_search_only_finds_people_the_user_may_see(world):
    elsewhere = Unit.objects.create(name="Kabupaten Lain")
    Person.objects.create(nip="198001012005011009", name="Rina Elsewhere", unit=elsewhere)
    response = client_for(world.organiser).get(_group_url(world), {"q": "Rina"})
    assert [p.name for p in response.context["results"]] == []


def test_coach_cannot_search(world, newcomer):
    response = client_for(world.coach).get(_group_url(world), {"q": "Rina"})
    assert response.context["results"] == []
    assert "Rina Newcomer" not in response.content.decode()


def test_organiser_enrols_a_person(world, newcomer):
    response = client_for(world.organiser).post(
        _group_url(world) + "enrol/", {"person": newcomer.pk}, follow=True
    )
    enrolment = Enrolment.objects.get(person=newcomer)
    assert enrolment.group == world.group_a
    assert enrolment.status == "active"
    assert "Rina Newcomer" in [e.person.name for e in response.context["active"]]


def test_enrolling_twice_keeps_one_enrolment(world, newcomer):
    client = client_for(world.organiser)
    client.post(_group_url(world) + "enrol/", {"person": newcomer.pk})
    client.post(_group_url(world) + "enrol/", {"person": newcomer.pk})
    assert Enrolment.objects.filter(person=newcomer).count() == 1


def test_enrolling_someone_active_elsewhere_names_the_group(world):
    other = Enrolment.objects.get(group=world.group_b).person
    response = in_english(client_for(world.organiser)).post(
        _group_url(world) + "enrol/", {"person": other.pk}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("B" in m and "already enrolled" in m for m in messages)
    assert Enrolment.objects.filter(person=other).count() == 1


def test_a_person_outside_the_users_scope_cannot_be_enrolled(world):
    elsewhere = Unit.objects.create(name="Kabupaten Lain")
    stranger = Person.objects.create(nip="198001012005011009", name="Stranger", unit=elsewhere)
    client_for(world.organiser).post(_group_url(world) + "enrol/", {"person": stranger.pk})
    assert not Enrolment.objects.filter(person=stranger).exists()


def test_organiser_moves_a_participant_and_history_shows_it(world):
    enrolment = Enrolment.objects.get(group=world.group_a)
    client = client_for(world.organiser)
    response = client.post(
        f"/programmes/enrolments/{enrolment.pk}/move/",
        {"to_group": world.group_b.pk, "reason": "Jadwal bentrok"},
    )
    assert response["Location"] == _group_url(world)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_reason) == ("moved", "Jadwal bentrok")
    assert Enrolment.objects.get(person=enrolment.person, status="active").group == world.group_b
    page = client.get(_group_url(world))
    assert [e.pk for e in page.context["history"]] == [enrolment.pk]
    assert "Jadwal bentrok" in page.content.decode()


def test_move_without_a_reason_changes_nothing(world):
    enrolment = Enrolment.objects.get(group=world.group_a)
    client_for(world.organiser).post(
        f"/programmes/enrolments/{enrolment.pk}/move/", {"to_group": world.group_b.pk}
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    assert Enrolment.objects.count() == 2


def test_withdraw_needs_a_reason(world):
    enrolment = Enrolment.objects.get(group=world.group_a)
    url = f"/programmes/enrolments/{enrolment.pk}/withdraw/"
    client = client_for(world.organiser)
    response = in_english(client).post(url, {"reason": ""}, follow=True)
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    assert any("reason" in str(m) for m in response.context["messages"])
    client.post(url, {"reason": "Pensiun"})
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_reason) == ("withdrawn", "Pensiun")
    assert enrolment.ended_at is not None
