"""The cache that CAKAP_REDIS_URL configures works against a real Redis, is shared
between workers, and nothing that must be shared (sessions, login throttling) lives in
one process's memory.

The Redis tests need the Redis at 127.0.0.1:6379; without it they are skipped, unless
CAKAP_REQUIRE_REDIS=1 (CI) makes them fail instead.
"""

import os
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache, caches
from django.test import Client
from django.utils.module_loading import import_string

from cakap.env import cache_settings
from conftest import PASSWORD, in_english

REDIS_URL = os.environ.get("CAKAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache(settings):
    """settings.CACHES as settings.py builds it from CAKAP_REDIS_URL, with a prefix of
    its own so that runs side by side do not meet."""
    if not _redis_reachable():
        message = f"Redis is not reachable at {REDIS_URL}"
        if os.environ.get("CAKAP_REQUIRE_REDIS") == "1":
            pytest.fail(message + " (CAKAP_REQUIRE_REDIS=1)")
        pytest.skip(message + "; set CAKAP_REQUIRE_REDIS=1 to fail instead")
    prefix = f"cakap-test-{uuid.uuid4().hex}"
    settings.CACHES = cache_settings(REDIS_URL, prefix)
    assert caches["default"].__class__.__name__ == "RedisCache"
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    keys = server.keys(prefix + ":*")
    if keys:
        server.delete(*keys)


def test_without_a_url_the_cache_is_the_process_memory():
    assert cache_settings("", "cakap")["default"]["BACKEND"].endswith("LocMemCache")


def test_the_redis_cache_sets_gets_and_deletes(redis_cache):
    cache.set("greeting", {"text": "Selamat pagi"}, timeout=30)
    assert cache.get("greeting") == {"text": "Selamat pagi"}
    assert redis.Redis.from_url(REDIS_URL).exists(f"{redis_cache}:1:greeting")
    assert cache.delete("greeting") is True
    assert cache.get("greeting") is None


def test_a_counter_in_redis_is_shared_between_workers(redis_cache):
    # Two connections stand for two worker processes: a rate limit counts for both.
    one, other = caches.create_connection("default"), caches.create_connection("default")
    assert one.add("failures:nip", 0, timeout=60) is True
    assert other.add("failures:nip", 0, timeout=60) is False
    one.incr("failures:nip")
    other.incr("failures:nip")
    assert one.get("failures:nip") == 2


def test_sessions_and_login_throttling_do_not_live_in_one_process():
    engine = import_string(django_settings.SESSION_ENGINE + ".SessionStore")
    from django.contrib.sessions.backends import cache, cached_db, db

    # The database, or the database behind a cache shared by every worker; never a cache
    # alone, nor a cache of one process.
    assert issubclass(engine, db.SessionStore)
    assert not issubclass(engine, cache.SessionStore) or issubclass(engine, cached_db.SessionStore)
    if issubclass(engine, cached_db.SessionStore):
        assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    handler = getattr(django_settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler")
    assert "locmem" not in handler.lower()
    if "cache" in handler.lower():
        # A cache handler is shared only when the cache is.
        assert django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


@pytest.mark.django_db
def test_signing_in_and_a_lockout_work_with_the_redis_cache(world, redis_cache, settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    reset()
    client = in_english(Client())
    response = client.post(
        "/login/", {"username": "participant@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(world.participant.pk)
    stranger = in_english(Client())
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        stranger.post(
            "/login/",
            {"username": "coach@example.test", "password": "wrong"},
            REMOTE_ADDR=f"10.0.5.{attempt}",
        )
    stranger.post(
        "/login/", {"username": "coach@example.test", "password": PASSWORD}, REMOTE_ADDR="10.0.6.1"
    )
    assert SESSION_KEY not in stranger.session
    reset()
