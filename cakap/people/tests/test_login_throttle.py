"""Failed log-ins pause one account, not a room: an address is paused only when many
different accounts fail from it, and the address is the one the trusted proxies vouch for."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import Client

from cakap.people.models import Person, User
from conftest import PASSWORD, in_english

LOGIN = "/login/"
PROXY = "10.9.9.9"


@pytest.fixture
def lockout(settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    reset()
    cache.clear()
    yield settings.AXES_FAILURE_LIMIT
    reset()
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"


def login(username, password=PASSWORD, address="10.0.0.1", forwarded=None):
    client = in_english(Client())
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    response = client.post(LOGIN, {"username": username, "password": password}, **extra)
    return client, response


def signed_in(client):
    return client.session.get("_auth_user_id") is not None


def room(world, size):
    """`size` officials with logins, their emails."""
    emails = []
    for n in range(size):
        email = f"official{n}@example.test"
        user = User.objects.create_user(email=email, password=PASSWORD)
        Person.objects.create(
            nip=f"1980010120050110{n:02d}", name=f"Official {n}", unit=world.dinkes, user=user
        )
        emails.append(email)
    return emails


def test_a_room_on_one_address_signs_in_when_a_few_mistype(world, lockout):
    emails = room(world, 24)
    for email in emails[:3]:
        for _ in range(2):
            assert login(email, "wrong", "10.1.1.1")[1].status_code == 200
    for email in emails:
        client, response = login(email, PASSWORD, "10.1.1.1")
        assert response.status_code == 302 and signed_in(client), email


def test_failures_for_many_accounts_behind_the_proxy_lock_nobody_else(
    world, lockout, behind_proxy, settings
):
    emails = room(world, 5)
    for n in range(settings.LOGIN_ADDRESS_ACCOUNT_LIMIT + 10):
        # The attacker also sends a made-up X-Forwarded-For; the proxy appends the truth.
        login(f"guess{n}@example.test", "wrong", PROXY, forwarded=f"10.1.1.{n % 5}, 203.0.113.7")
    assert AccessAttempt.objects.filter(ip_address="203.0.113.7").exists()
    for n, email in enumerate(emails):
        client, response = login(email, PASSWORD, PROXY, forwarded=f"198.51.100.{n}")
        assert response.status_code == 302 and signed_in(client)
    # The attacker's own address is paused, whatever it claims to be.
    client, response = login(emails[0], PASSWORD, PROXY, forwarded="10.1.1.1, 203.0.113.7")
    assert response.status_code == 429 and not signed_in(client)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(world, lockout):
    for n in range(3):
        login(f"guess{n}@example.test", "wrong", "10.2.2.2", forwarded="203.0.113.8")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.2.2.2"}


def test_an_address_is_paused_after_many_different_accounts_fail_from_it(world, lockout, settings):
    settings.LOGIN_ADDRESS_ACCOUNT_LIMIT = 6
    for n in range(5):
        login(f"guess{n}@example.test", "wrong", "10.3.3.3")
    assert login("coach@example.test", PASSWORD, "10.3.3.3")[1].status_code == 302
    login("guess5@example.test", "wrong", "10.3.3.3")
    client, response = login("leader@example.test", PASSWORD, "10.3.3.3")
    assert response.status_code == 429 and not signed_in(client)
    assert login("leader@example.test", PASSWORD, "10.3.3.4")[1].status_code == 302
    # The right password typed during the pause is not a failure of that account.
    assert not AccessAttempt.objects.filter(username="leader@example.test").exists()


def test_one_account_mistyped_five_times_is_locked_and_says_until_when(world, lockout):
    moment = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)  # 09:00 WIB
    with time_machine.travel(moment, tick=False):
        for _ in range(lockout):
            login("participant@example.test", "wrong", "10.4.4.4")
        client, response = login("196803032000121003", PASSWORD, "10.4.4.5")
    assert response.status_code == 429 and not signed_in(client)
    page = response.content.decode()
    assert "09.15 WIB" in page and "15 minutes" in page
    assert response["Retry-After"] == "900"
    with time_machine.travel(moment + datetime.timedelta(minutes=16), tick=False):
        assert login("participant@example.test", PASSWORD, "10.4.4.5")[1].status_code == 302


def test_the_lockout_page_is_in_indonesian_by_default(world, lockout):
    for _ in range(lockout):
        login("participant@example.test", "wrong")
    response = Client().post(LOGIN, {"username": "participant@example.test", "password": PASSWORD})
    assert response.status_code == 429 and "Coba lagi" in response.content.decode()


def reset(email, address="10.5.5.5"):
    return in_english(Client()).post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_password_reset_requests_are_limited_per_account(world, lockout, settings):
    settings.PASSWORD_RESET_PER_ACCOUNT = 3
    for n in range(3):
        assert reset("participant@example.test", f"10.5.5.{n}").status_code == 302
    refused = reset("Participant@example.test ", "10.5.6.1")
    assert refused.status_code == 429
    assert "Too many password-reset requests" in refused.content.decode()
    assert len(mail.outbox) == 3
    # An email that has no account is limited the same way: the refusal tells nothing.
    for n in range(3):
        assert reset("stranger@example.test", f"10.5.7.{n}").status_code == 302
    assert reset("stranger@example.test", "10.5.8.1").status_code == 429


def test_password_reset_requests_are_limited_per_address(world, lockout, settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 5
    for n in range(5):
        assert reset(f"someone{n}@example.test", "10.6.6.6").status_code == 302
    assert reset("participant@example.test", "10.6.6.6").status_code == 429
    assert mail.outbox == []
    assert reset("participant@example.test", "10.6.6.7").status_code == 302
    assert len(mail.outbox) == 1


def test_the_reset_limit_ends_with_its_window(world, lockout, settings):
    settings.PASSWORD_RESET_PER_ACCOUNT = 1
    moment = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        assert reset("participant@example.test").status_code == 302
        assert "10.00 WIB" in reset("participant@example.test").content.decode()
    with time_machine.travel(moment + datetime.timedelta(minutes=61), tick=False):
        assert reset("participant@example.test").status_code == 302
