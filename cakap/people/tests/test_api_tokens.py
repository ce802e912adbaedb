"""Issuing and revoking API tokens: services, audit and the management command."""

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from cakap.core.models import AuditEntry
from cakap.people.models import ApiToken, User
from cakap.people.tokens import TokenError, authenticate_key, issue_token, revoke_token


def test_issue_stores_only_the_hash_and_the_prefix(world):
    token, key = issue_token(world.coach, "Laptop script", acting_user=world.coach)
    assert key.startswith("ck_") and len(key) > 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    assert key not in {token.name, token.prefix, token.key_hash}
    entry = AuditEntry.objects.get(action="api_token.issue")
    assert entry.actor == world.coach and entry.object_id == str(token.pk)
    assert key not in str(entry.changes) and token.key_hash not in str(entry.changes)


def test_keys_differ_every_time(world):
    keys = {issue_token(world.coach, "t", acting_user=None)[1] for _ in range(5)}
    assert len(keys) == 5


def test_an_admin_issues_for_anyone_others_only_for_themselves(world):
    issue_token(world.coach, "for the coach", acting_user=world.admin)
    with pytest.raises(TokenError) as err:
        issue_token(world.coach, "not mine", acting_user=world.organiser)
    assert err.value.code == "forbidden"
    assert ApiToken.objects.filter(user=world.coach).count() == 1


@pytest.mark.parametrize(("name", "code"), [("", "name_required"), ("x" * 101, "name_too_long")])
def test_a_token_needs_a_sensible_name(world, name, code):
    with pytest.raises(TokenError) as err:
        issue_token(world.coach, name, acting_user=None)
    assert err.value.code == code
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(world):
    world.coach.is_active = False
    world.coach.save(update_fields=["is_active"])
    with pytest.raises(TokenError):
        issue_token(world.coach, "t", acting_user=None)


def test_revoke_refuses_the_key_and_is_audited_once(world):
    token, key = issue_token(world.coach, "t", acting_user=None)
    assert authenticate_key(key) == world.coach
    revoke_token(token, acting_user=world.coach)
    revoke_token(token, acting_user=world.coach)  # a second revoke changes nothing
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert authenticate_key(key) is None
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_only_the_owner_or_an_admin_revokes(world):
    token, key = issue_token(world.coach, "t", acting_user=None)
    with pytest.raises(TokenError):
        revoke_token(token, acting_user=world.participant)
    assert authenticate_key(key) == world.coach
    revoke_token(token, acting_user=world.admin)
    assert authenticate_key(key) is None


def test_unknown_and_malformed_keys_authenticate_nobody(world):
    _token, key = issue_token(world.coach, "t", acting_user=None)
    assert authenticate_key(key + "x") is None
    assert authenticate_key(key[3:]) is None
    assert authenticate_key("") is None


def test_command_prints_the_key_once(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "COACH@example.test", "SIASN export", stdout=out, stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.coach)
    assert token.name == "SIASN export"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix in err.getvalue() and key not in err.getvalue()
    entry = AuditEntry.objects.get(action="api_token.issue")
    assert entry.actor is None  # the system, run by the operator


def test_command_refuses_an_unknown_email(db):
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody@example.test", "x", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_command_refuses_an_empty_name(world):
    with pytest.raises(CommandError):
        call_command("issue_api_token", "coach@example.test", " ", stdout=io.StringIO())
    assert not User.objects.get(email="coach@example.test").api_tokens.exists()
