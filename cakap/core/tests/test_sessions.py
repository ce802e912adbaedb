"""The session store reads a session and its user in one written query; the login
backend takes that user. Same answers as Django's own store and backend."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cakap.core.models import UserSession
from cakap.core.sessions import (
    AuthenticationMiddleware,
    SessionStore,
    joined_columns,
    joined_params,
    joined_sql,
    offered_user,
)
from cakap.people.auth import NipOrEmailBackend

pytestmark = pytest.mark.django_db


def _signed_in_store(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store["answer"] = {"n": 42}
    store.create()
    return store


def test_a_saved_session_loads_what_was_saved_and_names_its_user(world):
    store = _signed_in_store(world.participant)
    row = UserSession.objects.get(session_key=store.session_key)
    assert row.user_id == world.participant.pk
    loaded = SessionStore(store.session_key)
    assert loaded.load() == store.decode(row.session_data)
    assert loaded["answer"] == {"n": 42}


def test_an_anonymous_session_names_no_user():
    store = SessionStore()
    store["lang"] = "en"
    store.create()
    assert UserSession.objects.get(session_key=store.session_key).user_id is None
    assert SessionStore(store.session_key)["lang"] == "en"


def test_an_expired_or_unknown_session_is_empty_and_forgets_its_key(world):
    store = _signed_in_store(world.participant)
    UserSession.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert expired.loaded_user is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def _read_beside_another_query(store):
    """What a hot path does: its own query reads the session and its user alongside."""
    sql = f"SELECT {joined_columns('default')} FROM (SELECT 1) one {joined_sql('default')}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, joined_params(store, "default"))
        return cursor.fetchone()


def test_a_session_read_beside_another_query_is_adopted_as_if_loaded(world):
    saved = _signed_in_store(world.participant)
    store = SessionStore(saved.session_key)
    assert store.unread
    store.adopt(_read_beside_another_query(store))
    assert not store.unread
    assert store.loaded_user == world.participant
    with CaptureQueriesContext(connection) as ctx:
        assert store["answer"] == {"n": 42} and store[SESSION_KEY] == str(world.participant.pk)
    assert not ctx.captured_queries


def test_an_expired_session_read_beside_another_query_is_empty(world):
    saved = _signed_in_store(world.participant)
    UserSession.objects.filter(session_key=saved.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    store = SessionStore(saved.session_key)
    store.adopt(_read_beside_another_query(store))
    assert store.session_key is None and store.loaded_user is None
    assert dict(store.items()) == {}


def test_deleting_a_user_ends_their_sessions(world):
    store = _signed_in_store(world.leader_other)
    world.leader_other.delete()
    assert not UserSession.objects.filter(session_key=store.session_key).exists()


def _request_for(store):
    request = RequestFactory().get("/")
    request.session = SessionStore(store.session_key)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def test_the_user_comes_with_the_session_in_one_query(world, client, django_assert_num_queries):
    client.force_login(world.participant)
    request = _request_for(client.session)
    with django_assert_num_queries(1):
        assert request.user == world.participant and request.user.is_authenticated
    assert request.session.loaded_user == world.participant


def test_django_still_checks_the_session_hash_of_the_offered_user(world, client):
    client.force_login(world.participant)
    world.participant.set_password("a-new-password-entirely")
    world.participant.save()
    request = _request_for(client.session)
    assert not request.user.is_authenticated  # the password changed: signed out


def test_the_user_is_offered_only_inside_get_user(world, client):
    client.force_login(world.participant)
    request = _request_for(client.session)
    assert request.user.is_authenticated
    assert offered_user(world.participant.pk) is None  # nothing is left behind
    SessionStore(client.session.session_key).load()  # a load outside a request's get_user
    assert offered_user(world.participant.pk) is None
    fresh = NipOrEmailBackend().get_user(world.participant.pk)
    assert fresh is not None and fresh.password == world.participant.password


def test_the_signed_in_client_rides_on_the_store(world, client):
    client.force_login(world.participant)
    assert client.session[SESSION_KEY] == str(world.participant.pk)
    assert isinstance(client.session, SessionStore)
    assert UserSession.objects.get().user_id == world.participant.pk


def test_get_user_reads_the_user_as_the_orm_does(world):
    user = NipOrEmailBackend().get_user(str(world.participant.pk))
    orm = ModelBackend().get_user(world.participant.pk)
    assert user is not None and orm is not None and user == orm
    assert user.email == orm.email and user.password == orm.password
    assert user.last_login == orm.last_login and user.is_active == orm.is_active


def test_get_user_refuses_inactive_unknown_and_malformed_ids(world):
    backend = NipOrEmailBackend()
    world.participant.is_active = False
    world.participant.save(update_fields=["is_active"])
    assert backend.get_user(world.participant.pk) is None
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None


def test_an_inactive_user_is_refused_with_the_session(world, client):
    client.force_login(world.participant)
    world.participant.is_active = False
    world.participant.save(update_fields=["is_active"])
    assert not _request_for(client.session).user.is_authenticated
