"""A database that is briefly out of reach answers 503 with Retry-After, never 500."""

import sqlite3
from unittest import mock

import psycopg
import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from cakap.core.unavailable import database_unavailable
from conftest import in_english


def _shutting_down() -> OperationalError:
    """What Django raises when PostgreSQL is restarting: psycopg's error as the cause."""
    error = OperationalError("the database system is shutting down")
    error.__cause__ = psycopg.OperationalError("the database system is shutting down")
    return error


def _query_failed(sqlstate: str) -> OperationalError:
    cause = psycopg.errors.lookup(sqlstate)("canceling statement due to lock timeout")
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_a_lost_connection_counts_as_unavailable():
    assert database_unavailable(_shutting_down())
    assert database_unavailable(InterfaceError("connection already closed"))


def test_a_failed_query_on_a_database_that_is_up_stays_an_error():
    assert not database_unavailable(_query_failed("55P03"))  # lock not available
    assert not database_unavailable(_query_failed("40P01"))  # deadlock
    locked = OperationalError("database is locked")
    locked.__cause__ = sqlite3.OperationalError("database is locked")
    assert not database_unavailable(locked)
    assert not database_unavailable(ValueError("no"))


def _broken_audit():
    return mock.patch(
        "cakap.portal.views.AuditEntry.objects.select_related", side_effect=_shutting_down()
    )


def test_a_page_answers_503_in_indonesian_with_retry_after(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.admin)
    with _broken_audit():
        response = client.get("/audit/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert "Tidak ada yang Anda kirim yang hilang" in text
    assert '<meta http-equiv="refresh"' in text


def test_the_page_speaks_english_when_chosen(world):
    client = in_english(Client(raise_request_exception=False))
    client.force_login(world.admin)
    with _broken_audit():
        response = client.get("/audit/")
    assert response.status_code == 503
    assert "Nothing you sent was lost" in response.content.decode()


def test_a_post_is_not_reloaded_by_itself(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.admin)
    with mock.patch("cakap.portal.views.is_admin", side_effect=_shutting_down()):
        response = client.post("/audit/")
    assert response.status_code == 503
    assert "http-equiv" not in response.content.decode()


def test_the_api_answers_json_503(world):
    client = Client(raise_request_exception=False)
    with mock.patch("cakap.people.tokens.authenticate_key", side_effect=_shutting_down()):
        response = client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer ck_x")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable"


@pytest.mark.django_db
def test_a_session_that_cannot_be_read_answers_503_not_500(settings):
    """The database fails before any view runs (reading the session): handler500."""
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    with mock.patch("cakap.core.sessions.db.SessionStore.load", side_effect=_shutting_down()):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


@pytest.mark.django_db
def test_any_other_failure_before_a_view_is_still_a_500(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    with mock.patch("cakap.core.sessions.db.SessionStore.load", side_effect=RuntimeError("bug")):
        response = client.get("/")
    assert response.status_code == 500
