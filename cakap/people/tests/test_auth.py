"""Signing in by NIP or email, lockout, password reset, logout."""

import re

import pytest
from django.core import mail

from conftest import PASSWORD, client_for, in_english

LOGIN = "/login/"


def login(client, username, password=PASSWORD, address="10.0.0.1"):
    return in_english(client).post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize(
    "identifier",
    [
        "19680303 200012 1 003",
        "196803032000121003",
        "19680303.200012.1.003",
        " participant@example.test ",
        "Participant@Example.TEST",
    ],
)
def test_login_by_nip_or_email(world, identifier):
    client = client_for(None)
    response = login(client, identifier)
    assert response.status_code == 302
    assert signed_in_as(client) == str(world.participant.pk)


def test_wrong_password_is_refused_with_a_clear_message(world):
    client = client_for(None)
    response = login(client, "196803032000121003", "wrong")
    assert response.status_code == 200
    assert "That NIP or email and password do not match an active account." in (
        response.content.decode()
    )
    assert signed_in_as(client) is None


def test_unknown_nip_gets_the_same_message(world):
    response = login(client_for(None), "199001012015031004", "wrong")
    assert "do not match an active account" in response.content.decode()


def test_inactive_account_cannot_log_in(world):
    world.participant.is_active = False
    world.participant.save(update_fields=["is_active"])
    client = client_for(None)
    login(client, "participant@example.test")
    assert signed_in_as(client) is None


def test_passwords_are_hashed_with_argon2(world):
    world.participant.refresh_from_db()
    assert world.participant.password.startswith("argon2$argon2id$")


@pytest.fixture
def lockout(settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    settings.AXES_USERNAME_CALLABLE = "cakap.people.auth.lockout_username"
    reset()
    yield settings.AXES_FAILURE_LIMIT
    reset()


def test_account_is_locked_after_the_failure_limit_from_any_address(world, lockout):
    client = client_for(None)
    for attempt in range(lockout - 1):
        assert login(client, "196803032000121003", "wrong", f"10.0.1.{attempt}").status_code == 200
    response = login(client, "196803032000121003", "wrong", "10.0.1.99")
    assert response.status_code == 429
    # Even the right password, from a fresh address, is refused now.
    response = login(client, "196803032000121003", PASSWORD, "10.0.2.1")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert signed_in_as(client) is None
    # Other accounts are not affected.
    assert login(client_for(None), "coach@example.test", PASSWORD, "10.0.2.2").status_code == 302


def test_spelling_the_nip_differently_does_not_reset_the_count(world, lockout):
    spellings = [
        "196803032000121003",
        "19680303 200012 1 003",
        "19680303.200012.1.003",
        "PARTICIPANT@example.test",
        "participant@example.test",
    ]
    client = client_for(None)
    for attempt in range(lockout):
        login(client, spellings[attempt % len(spellings)], "wrong", f"10.0.3.{attempt}")
    assert login(client, "participant@example.test", PASSWORD, "10.0.4.1").status_code == 429


def test_successful_login_resets_the_count(world, lockout):
    client = client_for(None)
    for attempt in range(lockout - 1):
        login(client, "coach@example.test", "wrong", f"10.0.6.{attempt}")
    assert login(client, "coach@example.test", PASSWORD, "10.0.6.50").status_code == 302
    client = client_for(None)
    for attempt in range(lockout - 1):
        login(client, "coach@example.test", "wrong", f"10.0.7.{attempt}")
    assert login(client, "coach@example.test", PASSWORD, "10.0.7.50").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(world):
    client = client_for(None)
    page = client.get("/password-reset/").content.decode()
    assert 'class="topbar"' in page and "Django site admin" not in page  # Cakap's own layout
    response = client.post("/password-reset/", {"email": "participant@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["participant@example.test"]
    link = re.search(r"/password-reset/[^/\s]+/[^/\s]+/", str(message.body))
    assert link
    response = client.get(link.group(0))
    assert response.status_code == 302  # to the token-free URL that shows the form
    form_url = response["Location"]
    response = client.post(
        form_url, {"new_password1": "a-new-Passw0rd-2026", "new_password2": "a-new-Passw0rd-2026"}
    )
    assert response.status_code == 302
    world.participant.refresh_from_db()
    assert world.participant.check_password("a-new-Passw0rd-2026")
    assert world.participant.password.startswith("argon2$")
    fresh = client_for(None)
    assert login(fresh, "196803032000121003", "a-new-Passw0rd-2026").status_code == 302
    # The link works once.
    assert (
        "This link no longer works"
        in in_english(client).get(link.group(0), follow=True).content.decode()
    )


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(world):
    response = client_for(None).post("/password-reset/", {"email": "stranger@example.test"})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_logout_is_by_post_only(world):
    client = client_for(world.participant)
    assert client.get("/logout/").status_code == 405
    assert signed_in_as(client) == str(world.participant.pk)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert signed_in_as(client) is None
