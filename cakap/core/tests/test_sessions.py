"""Sessions run on Django's own engines (db, or cached_db with a shared cache), in a
table that names each session's user so that a person's sessions can be ended."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends import cached_db, db
from django.core.cache import caches
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from cakap.core.models import UserSession
from cakap.core.sessions import cached_db as cakap_cached_db
from cakap.core.sessions import db as cakap_db
from cakap.core.sessions import end_sessions_of

pytestmark = pytest.mark.django_db

STORES = [cakap_db.SessionStore, cakap_cached_db.SessionStore]


def _signed_in_store(store_class, user):
    store = store_class()
    store[SESSION_KEY] = str(user.pk)
    store["answer"] = {"n": 42}
    store.create()
    return store


def test_the_stores_are_djangos_own():
    assert issubclass(cakap_db.SessionStore, db.SessionStore)
    assert issubclass(cakap_cached_db.SessionStore, cached_db.SessionStore)
    # Only the documented extension points are overridden.
    for store_class, base in zip(STORES, (db.SessionStore, cached_db.SessionStore), strict=True):
        added = store_class.__mro__[: store_class.__mro__.index(base)]
        own = {k for cls in added for k in vars(cls) if not k.startswith("__")}
        assert own == {"get_model_class", "create_model_instance"}, base


def test_the_engine_is_the_database_without_a_shared_cache(settings):
    assert settings.SESSION_ENGINE == "cakap.core.sessions.db"


@pytest.mark.parametrize("store_class", STORES)
def test_a_saved_session_loads_what_was_saved_and_names_its_user(world, store_class):
    store = _signed_in_store(store_class, world.participant)
    row = UserSession.objects.get(session_key=store.session_key)
    assert row.user_id == world.participant.pk
    loaded = store_class(store.session_key)
    assert loaded.load() == store.decode(row.session_data)
    assert loaded["answer"] == {"n": 42}


@pytest.mark.parametrize("store_class", STORES)
def test_an_anonymous_session_names_no_user(store_class):
    store = store_class()
    store["lang"] = "en"
    store.create()
    assert UserSession.objects.get(session_key=store.session_key).user_id is None
    assert store_class(store.session_key)["lang"] == "en"


def test_an_expired_or_unknown_session_is_empty_and_forgets_its_key(world):
    store = _signed_in_store(cakap_db.SessionStore, world.participant)
    UserSession.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = cakap_db.SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = cakap_db.SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_deleting_a_user_ends_their_sessions(world):
    store = _signed_in_store(cakap_db.SessionStore, world.leader_other)
    world.leader_other.delete()
    assert not UserSession.objects.filter(session_key=store.session_key).exists()


@pytest.mark.parametrize("store_class", STORES)
def test_ending_a_persons_sessions_ends_them_in_the_cache_too(world, store_class, settings):
    settings.SESSION_ENGINE = store_class.__module__
    mine = _signed_in_store(store_class, world.participant)
    other = _signed_in_store(store_class, world.coach)
    assert store_class(mine.session_key).load()  # read once: now in the cache, if cached
    assert end_sessions_of(world.participant) == 1
    assert store_class(mine.session_key).load() == {}
    assert store_class(other.session_key)[SESSION_KEY] == str(world.coach.pk)
    assert caches["default"].get(cached_db.KEY_PREFIX + mine.session_key) is None


def _request_for(session_key):
    request = RequestFactory().get("/")
    request.session = cakap_db.SessionStore(session_key)
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


def test_a_signed_in_request_reads_the_session_then_the_user(
    world, client, django_assert_num_queries
):
    client.force_login(world.participant)
    request = _request_for(client.session.session_key)
    with django_assert_num_queries(2):  # Django's own: the session, then its user
        assert request.user == world.participant and request.user.is_authenticated


def test_a_password_changed_elsewhere_signs_the_session_out(world):
    client = Client()
    client.force_login(world.participant)
    world.participant.set_password("a-new-password-entirely")
    world.participant.save()
    assert client.get("/account/password/").status_code in (301, 302)


def test_an_inactive_user_is_refused_with_the_session(world):
    client = Client()
    client.force_login(world.participant)
    world.participant.is_active = False
    world.participant.save(update_fields=["is_active"])
    response = client.get("/account/password/")
    assert response.status_code in (301, 302)
