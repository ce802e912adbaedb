"""The scan's POST reads its sign-in session and user in the check-in's own statement
(PostgreSQL); whenever that does not settle who is signed in, Django decides, so a scan
signs in exactly whom Django's `request.user` would, and nobody else."""

import importlib

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client

from cakap.attendance.checkin import load_signed_in_check_in
from cakap.attendance.models import AttendanceRecord
from cakap.attendance.tests.test_checkin import DEVICE, at_minutes
from cakap.attendance.tests.test_checkin_pages import record_of, scan_url
from cakap.core.sessions import end_sessions_of
from cakap.people.identity import session_signs_in
from cakap.people.models import User
from conftest import client_for

OURS = "cakap.people.auth.NipOrEmailBackend"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the session is read with the check-in there"
)


def data_for(user: User, **changes: str) -> dict[str, str]:
    data = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: OURS,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    data.update(changes)
    return data


def test_session_data_signs_in_only_the_user_it_names_as_django_would(world, settings):
    user = world.participant
    assert session_signs_in(data_for(user), user)
    assert not session_signs_in(data_for(user), None)
    assert not session_signs_in(data_for(user), world.coach)  # names someone else
    assert not session_signs_in(data_for(user, **{SESSION_KEY: ""}), user)
    assert not session_signs_in(data_for(user, **{HASH_SESSION_KEY: ""}), user)
    assert not session_signs_in(data_for(user, **{HASH_SESSION_KEY: "0" * 64}), user)
    other_backend = "django.contrib.auth.backends.ModelBackend"
    assert not session_signs_in(data_for(user, **{BACKEND_SESSION_KEY: other_backend}), user)
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
    assert not session_signs_in(data_for(user), user)  # our backend no longer configured


def test_an_inactive_login_or_a_new_password_is_not_signed_in(world):
    user = User.objects.get(pk=world.participant.pk)
    data = data_for(user)
    user.set_password("another-long-passphrase")
    assert not session_signs_in(data, user)
    user = User.objects.get(pk=world.participant.pk)
    user.is_active = False
    assert not session_signs_in(data, user)


def scan(client: Client, world, minutes: int = 2):
    at = at_minutes(world, minutes)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        client.get(url)
        return client.post(url, headers={"X-Cakap-Fetch": "1"})


def sign_in_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@on_postgresql
def test_a_live_sign_in_is_read_with_the_check_in(world, django_assert_num_queries):
    client = client_for(world.participant)
    found = load_signed_in_check_in(world.session_a.pk, sign_in_key(client), DEVICE)
    assert found is not None and found.user.pk == world.participant.pk
    assert found.participant.person is not None
    assert found.participant.person.user_id == world.participant.pk
    assert found.user.person == found.participant.person
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        client.get(url)
        with django_assert_num_queries(2):  # the read, and the record with its trail
            answer = client.post(url, headers={"X-Cakap-Fetch": "1"})
    assert 'data-outcome="hadir"' in answer.content.decode()


@on_postgresql
def test_no_key_a_made_up_key_or_an_ended_session_is_left_to_django(world):
    client = client_for(world.participant)
    key = sign_in_key(client)
    assert load_signed_in_check_in(world.session_a.pk, "", DEVICE) is None
    assert load_signed_in_check_in(world.session_a.pk, "x" * 32, DEVICE) is None
    assert load_signed_in_check_in(10**9, key, DEVICE) is None
    end_sessions_of(world.participant)
    assert load_signed_in_check_in(world.session_a.pk, key, DEVICE) is None
    answer = scan(client, world)
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not AttendanceRecord.objects.exists()


def test_a_scan_after_the_login_was_deactivated_asks_to_sign_in(world):
    client = client_for(world.participant)
    user = User.objects.get(pk=world.participant.pk)
    user.is_active = False
    user.save()
    answer = scan(client, world)
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not AttendanceRecord.objects.exists()


def test_a_session_whose_data_names_another_user_signs_in_whom_django_would(world):
    """The row's user column and the data disagree (written by hand, say): the statement
    does not settle it, and Django's reading of the data decides."""
    client = client_for(world.participant)
    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore(sign_in_key(client))
    store.load()
    other = world.other_participant
    store[SESSION_KEY] = str(other.pk)
    store[HASH_SESSION_KEY] = other.get_session_auth_hash()
    store.save()
    from cakap.core.models import UserSession

    UserSession.objects.filter(session_key=store.session_key).update(user=world.participant)
    answer = scan(client, world)
    # Django signs in the user the data names: not enrolled in group A, so refused.
    assert 'data-outcome="refused"' in answer.content.decode()
    assert record_of(world.participant, world.session_a) is None


def test_a_sign_in_under_an_old_secret_key_is_renewed_by_django(world, settings):
    client = client_for(world.participant)
    old_key = sign_in_key(client)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "k" * 40
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)  # the code under the new key
    with time_machine.travel(at, tick=False):
        answer = client.post(url, headers={"X-Cakap-Fetch": "1"})
    assert 'data-outcome="hadir"' in answer.content.decode()
    assert sign_in_key(client) != old_key  # Django cycled the session to the new key
