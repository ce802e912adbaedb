import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import client_for

ROOT = Path(__file__).resolve().parents[3]


def test_production_settings_pass_the_deploy_check():
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CAKAP_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        CAKAP_SECRET_KEY=secrets.token_urlsafe(50),
        CAKAP_ALLOWED_HOSTS="cakap.example.go.id",
        DJANGO_SETTINGS_MODULE="cakap.settings",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAKAP_")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "CAKAP_SECRET_KEY" in result.stderr


def test_bad_boolean_setting_names_the_variable():
    env = dict(os.environ, CAKAP_DEBUG="maybe")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "CAKAP_DEBUG" in result.stderr


@pytest.mark.parametrize("path", ["/login/", "/programmes/"])
def test_every_page_carries_a_content_security_policy(world, path):
    response = client_for(world.organiser).get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy


def test_forms_are_protected_against_cross_site_posts(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x@example.test", "password": "x"})
    assert response.status_code == 403


def test_passwords_are_hashed_with_argon2(world):
    world.participant.refresh_from_db()
    assert world.participant.password.startswith("argon2")


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(db, settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # An in-memory test database reports "memory"; the configured file database uses WAL.
    assert mode in {"wal", "memory"}
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
