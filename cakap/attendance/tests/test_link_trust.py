"""A personal link signs in only a login that does nothing but take part, until the
programme's end plus a margin, while its password and capabilities stay as they were."""

import datetime

import pytest
import time_machine
from django.test import Client

from cakap.attendance.links import LinkError, issue_personal_link, link_token
from cakap.attendance.models import PersonalLink
from cakap.attendance.phones import DEVICE_COOKIE, new_device_id
from cakap.core.models import AuditEntry
from cakap.people.models import Person, RoleAssignment, User
from cakap.programmes.models import Enrolment, Group
from conftest import PASSWORD, in_english

pytestmark = pytest.mark.django_db
# Phone ids are issued and signed by the server (phones.new_device_id).
PHONE_A = new_device_id()


def person_of(user):
    return Person.objects.get(user=user)


def enrol(world, person):
    Enrolment.objects.get_or_create(
        programme=world.programme, person=person, defaults={"group": world.group_b}
    )
    return person


def open_link(link, device=PHONE_A):
    client = in_english(Client())
    client.cookies[DEVICE_COOKIE] = device
    return client, client.post(f"/attendance/l/{link_token(link)}/")


def signed_in_as(client):
    return client.get("/attendance/card/").status_code == 200


def test_a_link_for_an_administrator_is_refused(world):
    admin_person = Person.objects.create(
        nip="197501012000031009", name="Admin Person", unit=world.bkpsdm, user=world.admin
    )
    enrol(world, admin_person)
    with pytest.raises(LinkError) as info:
        issue_personal_link(admin_person, world.programme, acting_user=world.organiser)
    assert info.value.code == "has_capabilities"
    assert not PersonalLink.objects.exists()


@pytest.mark.parametrize("who", ["organiser", "leader", "coach"])
def test_a_link_for_a_login_with_a_role_or_a_group_to_coach_is_refused(world, who):
    person = enrol(world, person_of(getattr(world, who)))
    with pytest.raises(LinkError) as info:
        issue_personal_link(person, world.programme, acting_user=world.organiser)
    assert info.value.code == "has_capabilities"
    assert not PersonalLink.objects.exists()


def test_a_link_for_another_organiser_is_refused_on_the_page_with_the_reason(world):
    other = User.objects.create_user(email="org2@example.test", password=PASSWORD)
    RoleAssignment.objects.create(user=other, role="organiser", unit=world.dinkes)
    person = Person.objects.create(
        nip="198001012005011002", name="Second Organiser", unit=world.dinkes, user=other
    )
    enrol(world, person)
    client = in_english(Client())
    client.force_login(world.organiser)
    answer = client.post(
        f"/attendance/programmes/{world.programme.pk}/links/issue/",
        {"person": person.pk},
        follow=True,
    )
    page = answer.content.decode()
    assert "Second Organiser" in page and "Organiser" in page and "password" in page
    assert not PersonalLink.objects.filter(person=person).exists()


def test_issuing_links_to_all_skips_logins_with_capabilities_and_says_why(world):
    enrol(world, person_of(world.coach))
    client = in_english(Client())
    client.force_login(world.organiser)
    answer = client.post(f"/attendance/programmes/{world.programme.pk}/links/issue/", follow=True)
    assert "coaches" in answer.content.decode()
    assert set(PersonalLink.objects.values_list("person__user", flat=True)) == {
        world.participant.pk,
        world.other_participant.pk,
    }


def _issue(world):
    return issue_personal_link(
        person_of(world.participant), world.programme, acting_user=world.organiser
    )


def _make_staff(world):
    User.objects.filter(pk=world.participant.pk).update(is_staff=True)


def _give_role(world):
    RoleAssignment.objects.create(user=world.participant, role="leader", unit=world.dinkes)


def _make_coach(world):
    group = Group.objects.create(programme=world.programme, name="C")
    group.coaches.add(person_of(world.participant))


def _give_role_quietly(world):
    # bulk_create sends no signal: the rule at use must hold on its own.
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=world.participant, role="leader", unit=world.dinkes)]
    )


def _make_coach_quietly(world):
    group = Group.objects.create(programme=world.programme, name="C")
    Group.coaches.through.objects.bulk_create(
        [Group.coaches.through(group=group, person=person_of(world.participant))]
    )


@pytest.mark.parametrize("gain", [_make_staff, _give_role_quietly, _make_coach_quietly])
def test_a_link_stops_working_when_its_login_gains_a_capability(world, gain):
    link = _issue(world)
    client, answer = open_link(link)
    assert answer.status_code == 302  # works while the login only takes part
    gain(world)
    client, answer = open_link(link)  # the same phone, which the link is bound to
    assert answer.status_code == 403 and not signed_in_as(client)
    assert "other rights" in answer.content.decode()
    refusal = AuditEntry.objects.get(action="personal_link.refuse")
    assert "has_capabilities" in refusal.note and PHONE_A in refusal.note


def test_a_link_works_until_the_programme_end_plus_the_margin_then_stops(world, settings):
    settings.PERSONAL_LINK_DAYS_AFTER_END = 14
    link = _issue(world)
    last_day = world.programme.end_date + datetime.timedelta(days=14)
    with time_machine.travel(
        datetime.datetime.combine(last_day, datetime.time(16, 0, tzinfo=datetime.UTC))
    ):
        assert open_link(link)[1].status_code == 302  # 23:00 WIB on the last day
    with time_machine.travel(
        datetime.datetime.combine(last_day, datetime.time(17, 1, tzinfo=datetime.UTC))
    ):
        client, answer = open_link(link)
        assert answer.status_code == 403 and "expired" in answer.content.decode()
        assert "expired" in client.get(f"/attendance/l/{link_token(link)}/").content.decode()


def test_the_margin_is_a_setting(world, settings):
    settings.PERSONAL_LINK_DAYS_AFTER_END = 0
    link = _issue(world)
    day_after = world.programme.end_date + datetime.timedelta(days=1)
    with time_machine.travel(
        datetime.datetime.combine(day_after, datetime.time(1, 0, tzinfo=datetime.UTC))
    ):
        assert open_link(link)[1].status_code == 403


def test_no_link_is_issued_for_a_programme_whose_links_would_have_expired(world, settings):
    settings.PERSONAL_LINK_DAYS_AFTER_END = 14
    long_after = world.programme.end_date + datetime.timedelta(days=30)
    with (
        time_machine.travel(
            datetime.datetime.combine(long_after, datetime.time(3, 0, tzinfo=datetime.UTC))
        ),
        pytest.raises(LinkError) as info,
    ):
        _issue(world)
    assert info.value.code == "expired"


def test_a_link_stops_working_when_the_password_changes(world):
    link = _issue(world)
    assert open_link(link)[1].status_code == 302
    user = User.objects.get(pk=world.participant.pk)
    user.set_password("a-new-secret-pass-phrase")
    user.save()
    client, answer = open_link(link)
    assert answer.status_code == 403 and "password" in answer.content.decode()
    assert not signed_in_as(client)


def test_every_use_and_refusal_is_audited_with_the_phone(world):
    link = _issue(world)
    open_link(link)
    open_link(link)  # the bound phone again
    other_phone = new_device_id()
    open_link(link, device=other_phone)  # another phone
    uses = AuditEntry.objects.filter(action="personal_link.use").order_by("pk")
    assert [PHONE_A in e.note for e in uses] == [True, True]
    refusal = AuditEntry.objects.get(action="personal_link.refuse")
    assert "link_used" in refusal.note and other_phone in refusal.note
    assert refusal.object_id == str(link.pk)


def test_the_preview_of_a_refused_link_changes_nothing(world):
    link = _issue(world)
    _give_role(world)
    client = in_english(Client())
    page = client.get(f"/attendance/l/{link_token(link)}/").content.decode()
    assert "other rights" in page and 'method="post"' not in page.split('id="main"')[1]
    assert not AuditEntry.objects.filter(action__startswith="personal_link.refuse").exists()


@pytest.mark.parametrize("gain", [None, _give_role, _make_coach])
def test_a_phone_signed_in_by_link_is_signed_out_when_its_login_gains_a_capability(world, gain):
    link = _issue(world)
    client, answer = open_link(link)
    assert signed_in_as(client)
    if gain is None:  # through the model, as the admin site saves it
        user = User.objects.get(pk=world.participant.pk)
        user.is_staff = True
        user.save()
    else:
        gain(world)
    assert not signed_in_as(client)
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert AuditEntry.objects.filter(action="personal_link.revoke", object_id=str(link.pk)).exists()


def test_gaining_a_capability_without_a_used_link_signs_nobody_out(world):
    client = in_english(Client())
    client.force_login(world.participant)
    _give_role(world)
    assert signed_in_as(client)
