"""A participant sees the coaches of their own active groups by name, unit and what the
coach shares; not other groups' coaches; none after withdrawal."""

from cakap.people.models import Person
from cakap.programmes.models import Enrolment
from conftest import client_for


def _people(user):
    return {p["name"]: p for p in client_for(user).get("/api/v1/people").json()["items"]}


def test_a_participant_sees_their_coach_partly_and_not_other_groups(world):
    coach_b = Person.objects.create(
        nip="198101012006041009", name="Coach B", unit=world.diskominfo, phone="081234567890"
    )
    world.group_b.coaches.add(coach_b)
    seen = _people(world.participant)
    coach = seen["Coach"]
    assert coach["seen_in_full"] is False
    assert coach["unit"]["name"] == "Diskominfo"
    assert coach["nip"] is coach["rank"] is coach["phone"] is coach["email"] is None
    assert "Coach B" not in seen
    assert seen["Participant"]["nip"] == world.participant.person.nip
    page = client_for(world.participant).get(f"/people/{world.coach.person.pk}/")
    assert world.coach.person.nip_grouped not in page.content.decode()
    assert _people(world.organiser)["Coach"]["nip"] == world.coach.person.nip


def test_what_the_coach_shares_is_shown(world):
    Person.objects.filter(pk=world.coach.person.pk).update(phone="081234567891", share_phone=True)
    coach = _people(world.participant)["Coach"]
    assert coach["phone"] == "081234567891"
    assert coach["email"] is None and coach["nip"] is None


def test_no_coaches_after_withdrawal(world):
    Enrolment.objects.filter(person=world.participant.person).update(status="withdrawn")
    assert "Coach" not in _people(world.participant)
    group = client_for(world.participant).get(f"/api/v1/sessions/{world.session_a.pk}")
    assert group.status_code == 404
