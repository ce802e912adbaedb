"""The personal iCalendar feed and its secret address."""

import datetime

import pytest
import time_machine
from icalendar import Calendar

from cakap.core.models import AuditEntry
from cakap.programmes.models import Session
from conftest import client_for

NOW = datetime.datetime(2025, 7, 7, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 makes each persona cost most of a second; these tests never check a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _feed(client, user):
    return client.get(f"/programmes/feed/{user.feed_token}.ics")


def _events(response):
    cal = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_feed_needs_no_login_and_lists_own_sessions(frozen, world, settings):
    settings.SITE_URL = "https://cakap.example.go.id"
    Session.objects.filter(pk=world.session_a.pk).update(online_url="https://meet.example/abc")
    response = _feed(client_for(None), world.participant)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response)
    uid = f"session-{world.session_a.pk}@cakap.example.go.id"
    assert list(events) == [uid]
    event = events[uid]
    assert event.decoded("dtstart") == datetime.datetime(2025, 7, 7, 2, 0, tzinfo=datetime.UTC)
    assert event.decoded("dtend") == datetime.datetime(2025, 7, 7, 4, 0, tzinfo=datetime.UTC)
    assert b"DTSTART:20250707T020000Z" in response.content
    assert str(event["summary"]) == "Coaching Clinic: Email"
    assert str(event["location"]) == "Ruang Rapat"
    assert str(event["url"]) == "https://meet.example/abc"
    assert str(event["status"]) == "CONFIRMED"


def test_uid_is_stable_and_cancellation_is_published(frozen, world):
    client = client_for(None)
    before = set(_events(_feed(client, world.coach)))
    Session.objects.filter(pk=world.session_a.pk).update(
        status=Session.Status.CANCELLED, status_reason="Banjir"
    )
    events = _events(_feed(client, world.coach))
    assert set(events) == before
    (event,) = events.values()
    assert str(event["status"]) == "CANCELLED"
    assert "Banjir" in str(event["description"])


def test_feed_holds_attended_and_coached_sessions_only(frozen, world):
    client = client_for(None)
    assert len(_events(_feed(client, world.coach))) == 1
    assert len(_events(_feed(client, world.other_participant))) == 1
    assert _events(_feed(client, world.organiser)) == {}
    assert _events(_feed(client, world.leader_other)) == {}


@pytest.mark.parametrize("token", ["nope", "a" * 32, "x" * 64])
def test_unknown_token_is_404(world, token):
    assert client_for(None).get(f"/programmes/feed/{token}.ics").status_code == 404


def test_inactive_user_feed_is_404(world):
    world.participant.is_active = False
    world.participant.save(update_fields=["is_active"])
    assert _feed(client_for(None), world.participant).status_code == 404


def test_regenerating_the_token_retires_the_old_address(frozen, world):
    old = world.participant.feed_token
    client = client_for(world.participant)
    response = client.post("/programmes/feed/regenerate/")
    assert response.status_code == 302
    world.participant.refresh_from_db()
    new = world.participant.feed_token
    assert new != old and len(new) >= 32
    assert client_for(None).get(f"/programmes/feed/{old}.ics").status_code == 404
    assert client_for(None).get(f"/programmes/feed/{new}.ics").status_code == 200
    entry = AuditEntry.objects.get(action="user.feed_token_regenerated")
    assert entry.actor == world.participant
    assert new not in str(entry.changes) and old not in str(entry.changes)


def test_regenerating_needs_a_post_and_a_login(world):
    assert client_for(world.participant).get("/programmes/feed/regenerate/").status_code == 405
    assert client_for(None).post("/programmes/feed/regenerate/").status_code == 302
