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
