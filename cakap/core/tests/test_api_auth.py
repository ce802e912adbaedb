"""Who gets in: bearer tokens (live, revoked, wrong), the browser session with CSRF."""

import datetime

import pytest
import time_machine
from django.test import Client

from cakap.people.models import ApiToken
from cakap.people.tokens import issue_token, revoke_token
from conftest import client_for

ME = "/api/v1/me"


def bearer(key: str, **kwargs) -> Client:
    return Client(headers={"authorization": f"Bearer {key}"}, **kwargs)


def test_a_live_token_acts_as_its_user(world):
    _token, key = issue_token(world.coach, "t", acting_user=None)
    response = bearer(key).get(ME)
    assert response.status_code == 200
    assert response.json()["email"] == "coach@example.test"


@pytest.mark.parametrize("url", ["/api/v1/people", "/api/v1/programmes", "/api/v1/sessions"])
def test_a_revoked_token_is_refused(world, url):
    token, key = issue_token(world.organiser, "t", acting_user=None)
    assert bearer(key).get(url).status_code == 200
    revoke_token(token, acting_user=None)
    response = bearer(key).get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer ck_not-a-real-key", "Bearer ", "Basic b3JnYW5pc2VyOnNlY3JldA==", "ck_no_scheme"],
)
def test_wrong_credentials_are_refused(world, header):
    response = Client(headers={"authorization": header}).get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_bad_token_is_refused_even_with_a_session(world):
    client = client_for(world.organiser)
    response = client.get(ME, headers={"authorization": "Bearer ck_wrong"})
    assert response.status_code == 401


def test_a_token_of_an_inactive_user_is_refused(world):
    _token, key = issue_token(world.coach, "t", acting_user=None)
    world.coach.is_active = False
    world.coach.save(update_fields=["is_active"])
    assert bearer(key).get(ME).status_code == 401


def test_last_use_is_noted_at_most_once_a_minute(world):
    token, key = issue_token(world.coach, "t", acting_user=None)
    start = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        bearer(key).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        bearer(key).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + datetime.timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        bearer(key).get(ME)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_a_token_request_costs_one_query_when_recently_used(world, django_assert_num_queries):
    _token, key = issue_token(world.coach, "t", acting_user=None)
    client = bearer(key)
    client.get(ME)  # notes the use
    # the token with its user, then the person and the roles for /me
    with django_assert_num_queries(3):
        client.get(ME)


def test_the_browser_session_reads_without_csrf(world):
    assert client_for(world.coach).get(ME).status_code == 200


def test_a_session_write_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.organiser)
    url = f"/api/v1/sessions/{world.session_a.pk}/cancel"
    response = client.post(url, {"reason": "Banjir"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    world.session_a.refresh_from_db()
    assert world.session_a.status == "planned"
    # As the docs page does: the token from the cookie, sent back in X-CSRFToken.
    client.get("/api/v1/docs")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        url, {"reason": "Banjir"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 200, response.content
    world.session_a.refresh_from_db()
    assert world.session_a.status == "cancelled"


def test_a_token_write_needs_no_csrf(world):
    _token, key = issue_token(world.organiser, "t", acting_user=None)
    client = bearer(key, enforce_csrf_checks=True)
    response = client.post(
        f"/api/v1/sessions/{world.session_a.pk}/cancel",
        {"reason": "Banjir"},
        content_type="application/json",
    )
    assert response.status_code == 200


def test_tokens_are_stored_hashed(world):
    _token, key = issue_token(world.coach, "t", acting_user=None)
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert not ApiToken.objects.filter(prefix=key).exists()
