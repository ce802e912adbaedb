"""The session store and the user loader read with written SQL: same answers as Django's."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from cakap.core.sessions import SessionStore
from cakap.people.auth import NipOrEmailBackend

pytestmark = pytest.mark.django_db


def test_a_saved_session_loads_the_same_as_with_django():
    store = SessionStore()
    store["answer"] = {"n": 42, "when": "2026-11-28"}
    store.create()
    assert SessionStore(store.session_key).load() == DjangoStore(store.session_key).load()
    assert SessionStore(store.session_key)["answer"] == {"n": 42, "when": "2026-11-28"}


def test_an_expired_or_unknown_session_is_empty_and_forgets_its_key():
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_the_signed_in_client_rides_on_the_store(world, client):
    client.force_login(world.participant)
    assert client.session[SESSION_KEY] == str(world.participant.pk)
    assert isinstance(client.session, SessionStore)


def test_get_user_reads_the_user_as_the_orm_does(world):
    user = NipOrEmailBackend().get_user(str(world.participant.pk))
    assert user is not None and user == world.participant
    assert user.email == world.participant.email
    assert user.password == world.participant.password
    assert user.last_login == type(world.participant).objects.get(pk=user.pk).last_login


def test_get_user_refuses_inactive_unknown_and_malformed_ids(world):
    backend = NipOrEmailBackend()
    world.participant.is_active = False
    world.participant.save(update_fields=["is_active"])
    assert backend.get_user(world.participant.pk) is None
    assert backend.get_user(10**9) is None
    assert backend.get_user("not-a-number") is None
