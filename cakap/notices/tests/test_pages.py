"""The notices' pages (decision 93): one's own settings from the account menu, a
programme's delivery log for its organisers and coaches (pinned queries), a person's
log for their organisers, and the WhatsApp list, whose "opened" is recorded only by a
POST that answers 303 to the wa.me address."""

import pytest

from cakap.core.models import AuditEntry
from cakap.notices import services
from cakap.notices.models import Channel, Delivery, DeliveryState, NoticeKind, NoticePreference
from cakap.people.models import Person
from conftest import client_for, in_english

pytestmark = pytest.mark.django_db


def _prepare(world, person, session, n=1, kind=NoticeKind.SESSION_TOMORROW):
    return [
        services.notify(
            person,
            kind=kind,
            key=f"session-tomorrow:{session.pk}:{i}",
            subject="Cakap: sesi Anda besok",
            body="Sesi besok pukul 09.00 WIB",
            channels=(Channel.WHATSAPP, Channel.EMAIL),
            programme_ref=world.programme.pk,
            session_ref=session.pk,
        )
        for i in range(n)
    ]


@pytest.fixture
def people(world):
    participant = Person.objects.get(user=world.participant)
    other = Person.objects.get(user=world.other_participant)
    for p in (participant, other):
        p.phone = "081234567890"
        p.save(update_fields=["phone"])
    return participant, other


def test_my_notices_is_in_the_account_menu_and_saves_opt_outs(world):
    client = client_for(world.participant)
    home = client.get("/programmes/my-schedule/").content.decode()
    assert 'href="/account/notices/"' in home
    page = in_english(client).get("/account/notices/")
    assert page.status_code == 200
    assert "A session tomorrow" in page.content.decode()
    kept = [k for k in NoticeKind.values if k != NoticeKind.SESSION_SOON]
    response = client.post("/account/notices/", {"email_kinds": kept})
    assert response.status_code == 302
    person = Person.objects.get(user=world.participant)
    assert list(
        NoticePreference.objects.filter(person=person, email=False).values_list("kind", flat=True)
    ) == [NoticeKind.SESSION_SOON]


def test_a_bad_kind_is_refused_and_changes_nothing(world):
    client = in_english(client_for(world.participant))
    response = client.post("/account/notices/", {"email_kinds": ["nonsense"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not NoticePreference.objects.exists()


def test_a_login_without_a_person_has_no_notice_settings(world):
    assert client_for(world.admin).get("/account/notices/").status_code == 404


def test_the_programme_log_lists_what_went_out_in_pinned_queries(
    world, people, django_assert_max_num_queries
):
    participant, other = people
    _prepare(world, participant, world.session_a, n=30)
    _prepare(world, other, world.session_b, n=30)
    url = f"/attendance/programmes/{world.programme.pk}/notices/"
    client = in_english(client_for(world.organiser))
    client.get(url)  # warm the session and the language
    with django_assert_max_num_queries(9):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("Cakap: sesi Anda besok") == 50  # one page
    assert "Prepared" in body and "Queued" in body and ">Other<" in body, body[-3000:]
    with django_assert_max_num_queries(9):
        assert client.get(url, {"page": "2", "channel": "email"}).status_code == 200


def test_a_coach_sees_the_log_of_their_own_group_only(world, people):
    participant, other = people
    _prepare(world, participant, world.session_a)
    _prepare(world, other, world.session_b)
    url = f"/attendance/programmes/{world.programme.pk}/notices/"
    body = client_for(world.coach).get(url).content.decode()
    assert "Participant" in body and ">Other<" not in body
    assert client_for(world.participant).get(url).status_code == 404
    assert client_for(world.leader).get(url).status_code == 404


def test_an_organiser_reads_a_persons_log(world, people):
    participant, _other = people
    _prepare(world, participant, world.session_a)
    url = f"/people/{participant.pk}/notices/"
    assert "Cakap: sesi Anda besok" in client_for(world.organiser).get(url).content.decode()
    assert client_for(world.coach).get(url).status_code == 404


def test_the_whatsapp_list_opens_a_chat_only_by_post(world, people):
    participant, other = people
    _prepare(world, participant, world.session_a)
    _prepare(world, other, world.session_b)
    client = in_english(client_for(world.coach))
    page = client.get(f"/attendance/sessions/{world.session_a.pk}/whatsapp/")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('class="chat-open"') == 1  # group A's participant only
    delivery = Delivery.objects.get(person=participant, channel=Channel.WHATSAPP)
    open_url = f"/attendance/whatsapp/{delivery.pk}/open/"
    assert f'action="{open_url}"' in body and 'target="_blank"' in body
    # A GET changes nothing.
    assert client.get(open_url).status_code == 405
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PREPARED
    response = client.post(open_url)
    assert response.status_code == 303
    assert response["Location"].startswith("https://wa.me/6281234567890?text=Sesi%20besok")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.OPENED and delivery.opened_at is not None
    assert delivery.opened_by == world.coach
    assert AuditEntry.objects.filter(action="notices.whatsapp_opened").count() == 1
    # The list, refreshed by htmx, shows it opened; a second opening keeps the first time.
    rows = client.get(
        f"/attendance/sessions/{world.session_a.pk}/whatsapp/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in rows and "Opened" in rows and "Open again" in rows
    first = delivery.opened_at
    assert client.post(open_url).status_code == 303
    delivery.refresh_from_db()
    assert delivery.opened_at == first


def test_another_groups_chat_cannot_be_opened(world, people):
    _participant, other = people
    _prepare(world, other, world.session_b)
    delivery = Delivery.objects.get(person=other, channel=Channel.WHATSAPP)
    for user in (world.coach, world.participant, world.leader):
        assert client_for(user).post(f"/attendance/whatsapp/{delivery.pk}/open/").status_code == 404
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PREPARED
    # The organiser may.
    assert (
        client_for(world.organiser).post(f"/attendance/whatsapp/{delivery.pk}/open/").status_code
        == 303
    )


def test_the_programme_whatsapp_list_holds_the_notices_of_no_session(world, people):
    participant, _other = people
    services.notify(
        participant,
        kind=NoticeKind.BEHIND_TARGET,
        key="behind-target:x",
        subject="Cakap: kehadiran Anda",
        body="Anda tertinggal",
        channels=(Channel.WHATSAPP,),
        programme_ref=world.programme.pk,
    )
    body = (
        client_for(world.coach)
        .get(f"/attendance/programmes/{world.programme.pk}/whatsapp/")
        .content.decode()
    )
    assert "Cakap: kehadiran Anda" in body and body.count('class="chat-open"') == 1


def test_staff_pages_link_the_log_and_the_list(world):
    programme = client_for(world.organiser).get(f"/programmes/{world.programme.pk}/")
    assert f"/attendance/programmes/{world.programme.pk}/notices/" in programme.content.decode()
    session = client_for(world.coach).get(f"/programmes/sessions/{world.session_a.pk}/")
    assert f"/attendance/sessions/{world.session_a.pk}/whatsapp/" in session.content.decode()


def test_a_bad_filter_is_named_and_the_log_shown_unfiltered(world, people):
    participant, _other = people
    _prepare(world, participant, world.session_a)
    url = f"/attendance/programmes/{world.programme.pk}/notices/"
    page = in_english(client_for(world.organiser)).get(url, {"state": "bogus"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Select a valid choice" in body and "Cakap: sesi Anda besok" in body
