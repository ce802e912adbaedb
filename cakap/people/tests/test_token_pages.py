"""A person sees, creates and revokes their API tokens on a page; an administrator sees
and revokes anyone's; tokens may expire; a new password offers to revoke them."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cakap.core.models import AuditEntry
from cakap.people.models import ApiToken
from cakap.people.tokens import authenticate_key, issue_token
from conftest import PASSWORD, client_for, in_english

pytestmark = pytest.mark.django_db
TOKENS = "/account/tokens/"
ALL_TOKENS = "/people/tokens/"


def test_a_person_sees_only_their_own_tokens(world):
    issue_token(world.coach, "Coach laptop", acting_user=None)
    issue_token(world.participant, "Participant phone", acting_user=None)
    page = in_english(client_for(world.coach)).get(TOKENS).content.decode()
    assert "Coach laptop" in page and "Participant phone" not in page
    assert "ck_" in page  # the prefix, to tell tokens apart
    assert client_for(None).get(TOKENS).status_code == 302  # to the login page


def test_creating_a_token_shows_its_key_once(world):
    client = in_english(client_for(world.participant))
    answer = client.post(TOKENS, {"name": "Spreadsheet", "expires_in_days": "30"}, follow=True)
    assert answer.status_code == 200
    assert answer.redirect_chain == [(TOKENS, 302)]  # a reload does not post again
    found = re.search(r"ck_[A-Za-z0-9_\-]{40,}", answer.content.decode())
    assert found
    key = found.group(0)
    assert "no-store" in answer["Cache-Control"]
    assert authenticate_key(key) == world.participant
    token = ApiToken.objects.get(user=world.participant)
    assert token.name == "Spreadsheet"
    assert token.expires_at is not None
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=30)).date()
    assert key not in client.get(TOKENS).content.decode()  # never again
    assert ApiToken.objects.filter(user=world.participant).count() == 1
    assert AuditEntry.objects.filter(action="api_token.issue", actor=world.participant).exists()


def test_a_bad_name_or_expiry_is_refused_and_creates_nothing(world):
    client = in_english(client_for(world.participant))
    assert "Give the token a name." in client.post(TOKENS, {"name": " "}).content.decode()
    answer = client.post(TOKENS, {"name": "x", "expires_in_days": "99999"})
    assert answer.status_code == 200 and not ApiToken.objects.exists()


def test_an_expired_token_no_longer_authenticates(world):
    token, key = issue_token(
        world.coach,
        "Short",
        acting_user=world.coach,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    assert authenticate_key(key) == world.coach
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        assert authenticate_key(key) is None
        answer = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 401
        page = in_english(client_for(world.coach)).get(TOKENS).content.decode()
        assert "Expired" in page


def test_a_person_revokes_their_own_token_by_post(world):
    token, key = issue_token(world.coach, "Old", acting_user=None)
    client = client_for(world.coach)
    assert client.get(f"{TOKENS}{token.pk}/revoke/").status_code == 405
    assert authenticate_key(key) == world.coach
    assert client.post(f"{TOKENS}{token.pk}/revoke/").status_code == 302
    assert authenticate_key(key) is None
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.actor == world.coach


def test_nobody_else_but_an_administrator_revokes_a_token(world):
    token, key = issue_token(world.coach, "Mine", acting_user=None)
    for who in ("participant", "organiser", "leader", "other_participant"):
        assert (
            client_for(getattr(world, who)).post(f"{TOKENS}{token.pk}/revoke/").status_code == 404
        )
    assert authenticate_key(key) == world.coach
    assert client_for(world.admin).post(f"{TOKENS}{token.pk}/revoke/").status_code == 302
    assert authenticate_key(key) is None
    assert AuditEntry.objects.get(action="api_token.revoke").actor == world.admin


def test_an_administrator_sees_everyones_tokens(world):
    issue_token(world.coach, "Coach laptop", acting_user=None)
    issue_token(world.participant, "Participant phone", acting_user=None)
    page = in_english(client_for(world.admin)).get(ALL_TOKENS).content.decode()
    assert "Coach laptop" in page and "Participant phone" in page
    assert "coach@example.test" in page
    for who in ("organiser", "coach", "participant", "leader"):
        assert client_for(getattr(world, who)).get(ALL_TOKENS).status_code == 404


def test_the_token_lists_cost_the_same_for_many_tokens(world, django_assert_max_num_queries):
    for n in range(30):
        issue_token(world.coach if n % 2 else world.participant, f"t{n}", acting_user=None)
    admin = client_for(world.admin)
    with django_assert_max_num_queries(8):
        assert admin.get(ALL_TOKENS).status_code == 200
    coach = client_for(world.coach)
    with django_assert_max_num_queries(8):
        assert coach.get(TOKENS).status_code == 200


def test_a_password_change_offers_to_revoke_the_tokens(world):
    token, key = issue_token(world.coach, "Script", acting_user=None)
    client = in_english(client_for(world.coach))
    form = client.get("/account/password/").content.decode()
    assert 'name="revoke_tokens"' in form
    answer = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Passw0rd-2026",
            "new_password2": "another-Passw0rd-2026",
            "revoke_tokens": "on",
        },
    )
    assert answer.status_code == 302
    world.coach.refresh_from_db()
    assert world.coach.check_password("another-Passw0rd-2026")
    assert authenticate_key(key) is None
    assert client.get(TOKENS).status_code == 200  # still signed in on this browser


def test_a_password_change_may_keep_the_tokens(world):
    token, key = issue_token(world.coach, "Script", acting_user=None)
    client = client_for(world.coach)
    client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Passw0rd-2026",
            "new_password2": "another-Passw0rd-2026",
        },
    )
    world.coach.refresh_from_db()
    assert world.coach.check_password("another-Passw0rd-2026")
    assert authenticate_key(key) == world.coach


def test_a_wrong_old_password_changes_nothing(world):
    token, key = issue_token(world.coach, "Script", acting_user=None)
    client_for(world.coach).post(
        "/account/password/",
        {
            "old_password": "wrong",
            "new_password1": "another-Passw0rd-2026",
            "new_password2": "another-Passw0rd-2026",
            "revoke_tokens": "on",
        },
    )
    world.coach.refresh_from_db()
    assert world.coach.check_password(PASSWORD) and authenticate_key(key) == world.coach


def test_the_menu_links_to_the_token_pages(world):
    page = client_for(world.coach).get(TOKENS).content.decode()
    assert 'href="/account/tokens/"' in page and 'href="/account/password/"' in page
    assert 'href="/people/tokens/"' not in page
    assert 'href="/people/tokens/"' in client_for(world.admin).get(TOKENS).content.decode()


def test_a_password_reset_offers_to_revoke_the_tokens(world):
    from django.core import mail

    token, key = issue_token(world.participant, "Script", acting_user=None)
    client = Client()
    client.post("/password-reset/", {"email": "participant@example.test"})
    link = re.search(r"/password-reset/[^/\s]+/[^/\s]+/", str(mail.outbox[0].body))
    assert link
    form_url = client.get(link.group(0))["Location"]
    assert 'name="revoke_tokens"' in client.get(form_url).content.decode()
    answer = client.post(
        form_url,
        {
            "new_password1": "a-new-Passw0rd-2026",
            "new_password2": "a-new-Passw0rd-2026",
            "revoke_tokens": "on",
        },
    )
    assert answer.status_code == 302
    assert authenticate_key(key) is None
    assert AuditEntry.objects.get(action="api_token.revoke").actor == world.participant
