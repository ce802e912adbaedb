"""Personal sign-in links: issue, print, copy, email, open once on one phone, revoke."""

import pytest
from django.core import mail
from django.test import Client

from cakap.attendance.links import (
    LinkError,
    issue_personal_link,
    link_token,
    revoke_personal_link,
)
from cakap.attendance.models import PersonalLink
from cakap.attendance.phones import DEVICE_COOKIE, new_device_id
from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes.models import Enrolment
from conftest import client_for

pytestmark = pytest.mark.django_db
PHONE_A = new_device_id()
PHONE_B = new_device_id()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person_of(user):
    return Person.objects.get(user=user)


def phone(device):
    client = Client()
    client.cookies[DEVICE_COOKIE] = device
    return client


def issue(world):
    return issue_personal_link(
        person_of(world.participant), world.programme, acting_user=world.organiser
    )


def test_issuing_a_link_is_audited_and_stores_only_a_hash(world):
    link = issue(world)
    token = link_token(link)
    assert token not in link.token_hash and len(token) >= 30
    entry = AuditEntry.objects.get(action="personal_link.issue")
    assert entry.actor == world.organiser and entry.object_id == str(link.pk)


def test_opening_the_link_asks_first_then_signs_in_and_binds_the_phone(world):
    link = issue(world)
    url = f"/attendance/l/{link_token(link)}/"
    client = phone(PHONE_A)
    preview = client.get(url)  # what a chat app's preview fetch does
    assert preview.status_code == 200 and "Participant" in preview.content.decode()
    link.refresh_from_db()
    assert link.used_at is None
    answer = client.post(url)
    assert answer.status_code == 302
    assert client.get("/attendance/card/").status_code == 200  # signed in
    link.refresh_from_db()
    assert link.used_at is not None and link.device_id == PHONE_A
    assert AuditEntry.objects.filter(action="personal_link.use", actor=world.participant).exists()


def test_the_same_link_from_another_phone_is_refused(world):
    link = issue(world)
    url = f"/attendance/l/{link_token(link)}/"
    phone(PHONE_A).post(url)
    other = phone(PHONE_B)
    answer = other.post(url)
    assert answer.status_code == 403
    assert other.get("/attendance/card/").status_code == 302  # not signed in
    again = phone(PHONE_A)
    assert again.post(url).status_code == 302  # the bound phone may sign in again


def test_a_phone_without_a_device_cookie_gets_one_and_is_bound_to_it(world):
    link = issue(world)
    client = Client()
    answer = client.post(f"/attendance/l/{link_token(link)}/")
    device = answer.cookies[DEVICE_COOKIE].value
    link.refresh_from_db()
    assert link.device_id == device


def test_revoked_link_no_longer_signs_in_and_reissue_gives_a_new_one(world):
    link = issue(world)
    old_url = f"/attendance/l/{link_token(link)}/"
    revoke_personal_link(link, acting_user=world.organiser)
    assert phone(PHONE_A).post(old_url).status_code == 403
    assert b'id="main"' in phone(PHONE_A).get(old_url).content
    new = issue(world)
    assert new.pk != link.pk
    assert phone(PHONE_B).post(f"/attendance/l/{link_token(new)}/").status_code == 302
    assert PersonalLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_reissue_revokes_the_live_link(world):
    first = issue(world)
    second = issue(world)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None
    assert AuditEntry.objects.filter(action="personal_link.revoke").count() == 1


def test_an_unknown_token_is_refused(world):
    assert phone(PHONE_A).post("/attendance/l/not-a-token/").status_code == 403


def test_only_organisers_of_the_programme_issue_links(world):
    with pytest.raises(LinkError):
        issue_personal_link(person_of(world.participant), world.programme, acting_user=world.coach)
    for who in ("coach", "participant", "leader", "leader_other"):
        client = client_for(getattr(world, who))
        assert client.get(f"/attendance/programmes/{world.programme.pk}/links/").status_code == 404
        answer = client.post(f"/attendance/programmes/{world.programme.pk}/links/issue/")
        assert answer.status_code == 404
    assert not PersonalLink.objects.exists()


def test_someone_outside_the_programme_gets_no_link(world):
    from cakap.people.models import Unit

    stranger = Person.objects.create(
        nip="198001012005011001", name="Stranger", unit=Unit.objects.get(pk=world.dinkes.pk)
    )
    with pytest.raises(LinkError) as info:
        issue_personal_link(stranger, world.programme, acting_user=world.organiser)
    assert info.value.code == "not_enrolled"


def test_a_participant_without_a_login_gets_one_from_their_email(world):
    from cakap.people.models import Unit

    person = Person.objects.create(
        nip="198001012005011001",
        name="New",
        unit=Unit.objects.get(pk=world.dinkes.pk),
        email="new@example.test",
    )
    Enrolment.objects.create(programme=world.programme, group=world.group_a, person=person)
    bare = Person.objects.create(
        nip="198101012005011001", name="Bare", unit=Unit.objects.get(pk=world.dinkes.pk)
    )
    Enrolment.objects.create(programme=world.programme, group=world.group_a, person=bare)
    client = client_for(world.organiser)
    client.post(f"/attendance/programmes/{world.programme.pk}/links/issue/")
    person.refresh_from_db()
    assert person.user is not None and PersonalLink.objects.filter(person=person).exists()
    assert not PersonalLink.objects.filter(person=bare).exists()  # no email, no login: told
    assert PersonalLink.objects.count() == 3  # participant, other, new


def test_list_print_and_email(world):
    client = client_for(world.organiser)
    client.post(f"/attendance/programmes/{world.programme.pk}/links/issue/")
    link = PersonalLink.objects.get(person__user=world.participant)
    url = f"/attendance/l/{link_token(link)}/"
    listing = client.get(f"/attendance/programmes/{world.programme.pk}/links/").content.decode()
    assert url in listing and "WhatsApp" in listing
    printed = client.get(f"/attendance/programmes/{world.programme.pk}/links/print/")
    assert printed.content.decode().count("<svg") == 2
    client.post(f"/attendance/links/{link.pk}/email/")
    assert len(mail.outbox) == 1 and url in mail.outbox[0].body
    assert mail.outbox[0].to == ["participant@example.test"]
    assert AuditEntry.objects.filter(action="personal_link.email").exists()
    client.post(f"/attendance/links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_organiser_of_another_unit_cannot_revoke(world):
    link = issue(world)
    outsider = client_for(world.leader_other)
    assert outsider.post(f"/attendance/links/{link.pk}/revoke/").status_code == 404
    assert outsider.post(f"/attendance/links/{link.pk}/email/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_used_link_says_so_before_asking_on_another_phone(world):
    link = issue(world)
    url = f"/attendance/l/{link_token(link)}/"
    phone(PHONE_A).post(url)
    page = phone(PHONE_B).get(url).content.decode()
    assert "another phone" in page or "ponsel lain" in page
    assert 'method="post"' not in page.split('id="main"')[1]
