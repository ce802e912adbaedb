"""The organiser turns on telling a participant's direct superior (atasan langsung) per
programme, on its form and through the API (decision 93); Person.superior names them."""

import pytest
from django.test import Client

from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.people.tokens import issue_token
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_programme_form_carries_the_switch(world):
    url = f"/programmes/{world.programme.pk}/edit/"
    client = client_for(world.organiser)
    page = client.get(url)
    assert 'name="notify_superior_when_behind"' in page.content.decode()
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value is not None and value is not False
    }
    data["notify_superior_when_behind"] = "on"
    assert client.post(url, data).status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.notify_superior_when_behind is True
    entry = AuditEntry.objects.filter(action="programme.updated").latest("pk")
    assert entry.changes["notify_superior_when_behind"] == [False, True]


def test_the_api_reads_and_sets_the_switch(world):
    _token, key = issue_token(world.organiser, "t", acting_user=None)
    client = Client(headers={"authorization": f"Bearer {key}"})
    url = f"/api/v1/programmes/{world.programme.pk}"
    assert client.get(url).json()["notify_superior_when_behind"] is False
    response = client.patch(
        url, {"notify_superior_when_behind": True}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["notify_superior_when_behind"] is True


def test_a_person_names_their_superior(world):
    participant = Person.objects.get(user=world.participant)
    leader = Person.objects.get(user=world.leader)
    participant.superior = leader
    participant.save(update_fields=["superior"])
    assert list(leader.subordinates.all()) == [participant]


def _person_form(person, **over):
    data = {
        "nip": person.nip,
        "name": person.name,
        "employee_type": person.employee_type,
        "unit": person.unit_id,
        "job_level": "",
    }
    data.update(over)
    return data


def test_the_organiser_names_a_superior_on_the_person_form(world):
    participant = Person.objects.get(user=world.participant)
    leader = Person.objects.get(user=world.leader)
    url = f"/people/{participant.pk}/edit/"
    client = client_for(world.organiser)
    response = client.post(url, _person_form(participant, superior=leader.nip_grouped))
    assert response.status_code == 302, response.content.decode()[-2000:]
    participant.refresh_from_db()
    assert participant.superior == leader
    entry = AuditEntry.objects.filter(action="person.update").latest("pk")
    assert entry.changes["superior_id"] == [None, leader.pk]
    page = client.get(f"/people/{participant.pk}/").content.decode()
    assert leader.full_name in page and f"/people/{participant.pk}/notices/" in page
    assert client.get(url).context["form"].initial["superior"] == leader.nip
    # Emptied, there is none.
    assert client.post(url, _person_form(participant, superior="")).status_code == 302
    participant.refresh_from_db()
    assert participant.superior is None


def test_a_superior_must_be_someone_else_the_organiser_sees(world):
    participant = Person.objects.get(user=world.participant)
    client = client_for(world.organiser)
    url = f"/people/{participant.pk}/edit/"
    itself = client.post(url, _person_form(participant, superior=participant.nip))
    assert itself.status_code == 200 and itself.context["form"].errors["superior"]
    nobody = client.post(url, _person_form(participant, superior="199001012015011001"))
    assert nobody.status_code == 200 and nobody.context["form"].errors["superior"]
    participant.refresh_from_db()
    assert participant.superior is None
