"""Every competence page against the fixed personas: out of scope is 404, never a leak."""

import pytest

from cakap.people.models import Person
from conftest import client_for

PERSONAS = [
    "organiser",
    "coach",
    "participant",
    "other_participant",
    "leader",
    "leader_other",
    "admin",
]


def _urls(world, quiz):
    instrument = quiz.instrument.pk
    me = Person.objects.get(user=world.participant).pk
    other = Person.objects.get(user=world.other_participant).pk
    return {
        "programme": f"/competence/programmes/{world.programme.pk}/",
        "instrument": f"/competence/instruments/{instrument}/",
        "results": f"/competence/instruments/{instrument}/results/",
        "export": f"/competence/instruments/{instrument}/results.xlsx",
        "administration": f"/competence/administrations/{quiz.pre.pk}/",
        "items": f"/competence/administrations/{quiz.pre.pk}/items/",
        "heatmap_a": f"/competence/instruments/{instrument}/groups/{world.group_a.pk}/heatmap/",
        "profile_participant": f"/competence/instruments/{instrument}/people/{me}/",
        "profile_other": f"/competence/instruments/{instrument}/people/{other}/",
        "bank": f"/competence/instruments/{instrument}/bank.xlsx",
    }


# Who sees what: S = staff of the programme (organiser, coach, leader in scope, admin).
EXPECTED = {
    "programme": {"organiser", "coach", "leader", "admin"},
    "instrument": {"organiser", "coach", "leader", "admin"},
    "results": {"organiser", "coach", "leader", "admin"},
    "export": {"organiser", "coach", "leader", "admin"},
    "administration": {"organiser", "coach", "leader", "admin"},
    "items": {"organiser", "coach", "leader", "admin"},
    "heatmap_a": {"organiser", "coach", "admin"},
    "profile_participant": {"organiser", "coach", "participant", "leader", "admin"},
    "profile_other": {"organiser", "other_participant", "admin"},
    "bank": {"organiser", "admin"},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_pages_are_scoped(world, scored, persona, page):
    url = _urls(world, scored)[page]
    response = client_for(getattr(world, persona)).get(url)
    assert response.status_code == (200 if persona in EXPECTED[page] else 404), url


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_anonymous_is_sent_to_login(world, scored, page):
    response = client_for(None).get(_urls(world, scored)[page])
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_coach_sees_only_their_groups_people_in_the_results(world, scored):
    response = client_for(world.coach).get(
        f"/competence/instruments/{scored.instrument.pk}/results/"
    )
    assert [p.name for p in response.context["people"]] == ["Participant"]
    assert "Other" not in response.content.decode()


def test_a_leader_sees_only_their_units_people(world, scored):
    response = client_for(world.leader).get(
        f"/competence/instruments/{scored.instrument.pk}/results/"
    )
    assert [p.unit for p in response.context["people"]] == ["Dinas Kesehatan"]
