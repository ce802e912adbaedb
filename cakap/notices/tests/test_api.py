"""The notices' API (decision 93): my preferences (GET and PUT) and a programme's
delivery log, on the pages' access functions, with pinned operation ids."""

import pytest
from django.test import Client

from cakap.notices import services
from cakap.notices.models import Channel, NoticeKind
from cakap.people.models import Person
from cakap.people.tokens import issue_token

pytestmark = pytest.mark.django_db


def bearer(user) -> Client:
    _token, key = issue_token(user, "t", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


def test_my_preferences_are_read_and_set(world):
    client = bearer(world.participant)
    body = client.get("/api/v1/notices/preferences").json()
    assert {row["kind"] for row in body} == set(NoticeKind.values)
    assert all(row["email"] for row in body)
    response = client.put(
        "/api/v1/notices/preferences", {"email": ["test_opening"]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert {row["kind"] for row in response.json() if row["email"]} == {"test_opening"}
    bad = client.put(
        "/api/v1/notices/preferences", {"email": ["nonsense"]}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert {
        row["kind"] for row in client.get("/api/v1/notices/preferences").json() if row["email"]
    } == {"test_opening"}


def test_the_programme_log_is_its_staffs(world):
    participant = Person.objects.get(user=world.participant)
    other = Person.objects.get(user=world.other_participant)
    for person in (participant, other):
        services.notify(
            person,
            kind=NoticeKind.TEST_OPENING,
            key="test-opening:1",
            subject="Cakap: tes dibuka",
            body="b",
            channels=(Channel.EMAIL,),
            programme_ref=world.programme.pk,
        )
    url = f"/api/v1/notices/programmes/{world.programme.pk}/deliveries"
    organiser = bearer(world.organiser).get(url).json()
    assert organiser["count"] == 2
    assert organiser["items"][0]["subject"] == "Cakap: tes dibuka"
    assert organiser["items"][0]["state"] == "queued"
    coach = bearer(world.coach).get(url).json()
    assert [item["person"]["id"] for item in coach["items"]] == [participant.pk]
    assert bearer(world.participant).get(url).status_code == 404
    filtered = bearer(world.organiser).get(url, {"person": other.pk}).json()
    assert [item["person"]["id"] for item in filtered["items"]] == [other.pk]


def test_the_operation_ids_are_pinned(world):
    schema = Client().get("/api/v1/openapi.json").json()
    ops = {
        (path, method): op["operationId"]
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if path.startswith("/api/v1/notices/")
    }
    assert ops == {
        ("/api/v1/notices/preferences", "get"): "notices_my_preferences",
        ("/api/v1/notices/preferences", "put"): "notices_set_my_preferences",
        (
            "/api/v1/notices/programmes/{programme_id}/deliveries",
            "get",
        ): "notices_programme_deliveries",
    }
