"""The schedule generator and the local calendar pages, through the HTTP client."""

import datetime

import pytest
import time_machine

from cakap.core.models import AuditEntry
from cakap.programmes.models import CalendarDay, Session
from conftest import client_for

NOW = datetime.datetime(2025, 7, 7, 1, 0, tzinfo=datetime.UTC)  # Senin, 7 Juli 2025, 08.00 WIB


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 makes each persona cost most of a second; these tests never check a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _form(world, **extra):
    data = {
        "group": str(world.group_a.pk),
        "start_date": "2025-08-11",
        "weekdays": ["0", "2", "4"],
        "start_time": "08:30",
        "duration_minutes": "90",
        "count": "6",
        "end_date": "",
        "venue": "Aula BKPSDM",
        "online_url": "",
        "coach": str(world.coach.person.pk),
        "module_plan": "in_order",
    }
    data.update(extra)
    return data


def _url(world, name="schedule/generate"):
    return f"/programmes/{world.programme.pk}/{name}/"


PERSONAS_WHO_CANNOT = ["coach", "participant", "other_participant", "leader", "leader_other"]


@pytest.mark.parametrize("persona", PERSONAS_WHO_CANNOT)
def test_only_organisers_reach_the_generator(frozen, world, persona):
    client = client_for(getattr(world, persona))
    assert client.get(_url(world)).status_code == 404
    response = client.post(_url(world), {**_form(world), "action": "confirm"})
    assert response.status_code == 404
    assert world.group_a.sessions.count() == 1


@pytest.mark.parametrize("persona", ["organiser", "admin"])
def test_organisers_and_admins_open_the_generator(frozen, world, persona):
    response = client_for(getattr(world, persona)).get(_url(world))
    assert response.status_code == 200
    assert b"Senin" in response.content  # the weekday checkboxes in Indonesian


def test_anonymous_is_sent_to_login(world):
    response = client_for(None).get(_url(world))
    assert response.status_code == 302


def test_preview_shows_dates_skips_and_nothing_is_created(frozen, world):
    response = client_for(world.organiser).post(_url(world), {**_form(world), "action": "preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Senin, 11 Agustus 2025" in html
    assert "08.30\u201310.00 WIB" in html
    assert "Cuti Bersama Hari Kemerdekaan Republik Indonesia" in html
    assert "Senin, 18 Agustus 2025" in html
    assert len(response.context["rows"]) == 6
    assert world.group_a.sessions.count() == 1
    # The world's programme ends on 28 July: every proposed session lies after it.
    assert len(response.context["outside_period"]) == 6
    assert "6 sesi berada di luar periode program" in html


def test_preview_warns_of_conflicts(frozen, world):
    data = _form(world, start_date="2025-07-07", weekdays=["0"], count="1", start_time="10:00")
    data["venue"] = "ruang rapat"
    response = client_for(world.organiser).post(_url(world), {**data, "action": "preview"})
    kinds = {c.kind for c in response.context["conflicts"]}
    # Same group at an overlapping time: the coach and the room are already taken.
    assert kinds == {"coach", "venue"}


def _confirm(client, world, data):
    preview = client.post(_url(world), {**data, "action": "preview"})
    digest = preview.context["fingerprint"]
    return client.post(_url(world), {**data, "fingerprint": digest, "action": "confirm"})


def test_confirm_creates_exactly_the_proposal_and_again_nothing(frozen, world):
    client = client_for(world.organiser)
    data = _form(world)
    response = _confirm(client, world, data)
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{world.programme.pk}/calendar/?month=2025-08"
    created = list(world.group_a.sessions.filter(venue="Aula BKPSDM").order_by("starts_at"))
    assert [s.starts_at.date().isoformat() for s in created] == [
        "2025-08-11",
        "2025-08-13",
        "2025-08-15",
        "2025-08-20",
        "2025-08-22",
        "2025-08-25",
    ]
    assert created[0].starts_at == datetime.datetime(2025, 8, 11, 1, 30, tzinfo=datetime.UTC)
    assert created[0].ends_at == datetime.datetime(2025, 8, 11, 3, 0, tzinfo=datetime.UTC)
    assert created[0].module and created[0].module.title == "Email"
    assert AuditEntry.objects.filter(action="session.created").count() == 6

    again = _confirm(client, world, data)
    assert again.status_code == 302
    assert world.group_a.sessions.count() == 7
    assert AuditEntry.objects.filter(action="session.created").count() == 6


def test_confirm_recomputes_and_refuses_a_changed_proposal(frozen, world):
    client = client_for(world.organiser)
    data = _form(world)
    preview = client.post(_url(world), {**data, "action": "preview"})
    digest = preview.context["fingerprint"]
    # A blackout added between the preview and the confirmation changes the proposal.
    CalendarDay.objects.create(
        date=datetime.date(2025, 8, 13), kind="blackout", reason="Rapat", programme=world.programme
    )
    response = client.post(_url(world), {**data, "fingerprint": digest, "action": "confirm"})
    assert response.status_code == 200
    assert world.group_a.sessions.count() == 1
    assert "2025-08-13" not in {r["slot"].date.isoformat() for r in response.context["rows"]}


def test_a_forged_fingerprint_creates_nothing(frozen, world):
    response = client_for(world.organiser).post(
        _url(world), {**_form(world), "fingerprint": "0" * 16, "action": "confirm"}
    )
    assert response.status_code == 200
    assert world.group_a.sessions.count() == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"count": "6", "end_date": "2025-09-30"}, "__all__"),
        ({"count": "", "end_date": ""}, "__all__"),
        ({"weekdays": []}, "weekdays"),
        ({"coach": "999999"}, "coach"),
        ({"duration_minutes": "5"}, "duration_minutes"),
        ({"count": "", "end_date": "2025-08-01"}, "end_date"),
    ],
)
def test_bad_input_is_explained(frozen, world, extra, field):
    response = client_for(world.organiser).post(
        _url(world), {**_form(world, **extra), "action": "confirm"}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert world.group_a.sessions.count() == 1


def test_coach_must_coach_the_chosen_group(frozen, world):
    data = _form(world, group=str(world.group_b.pk))
    response = client_for(world.organiser).post(_url(world), {**data, "action": "preview"})
    assert "coach" in response.context["form"].errors


def test_a_group_of_another_programme_cannot_be_chosen(frozen, world):
    other = world.programme.__class__.objects.create(
        title="Lain",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=datetime.date(2025, 7, 1),
        end_date=datetime.date(2025, 9, 1),
    )
    group = other.groups.create(name="Z")
    data = _form(world, group=str(group.pk), coach="")
    response = client_for(world.organiser).post(_url(world), {**data, "action": "confirm"})
    assert "group" in response.context["form"].errors
    assert not Session.objects.filter(group=group).exists()


# The programme's calendar days page.


@pytest.mark.parametrize("persona", PERSONAS_WHO_CANNOT)
def test_only_organisers_manage_calendar_days(frozen, world, persona):
    client = client_for(getattr(world, persona))
    url = _url(world, "calendar/days")
    assert client.get(url).status_code == 404
    data = {"date": "2025-07-10", "kind": "blackout", "reason": "x"}
    assert client.post(url, data).status_code == 404
    assert not CalendarDay.objects.exists()


def test_organiser_adds_and_removes_a_blackout_date(frozen, world):
    client = client_for(world.organiser)
    url = _url(world, "calendar/days")
    response = client.post(url, {"date": "2025-07-10", "kind": "blackout", "reason": "HUT Kab"})
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert (day.programme, day.date, day.reason) == (
        world.programme,
        datetime.date(2025, 7, 10),
        "HUT Kab",
    )
    page = client.get(url)
    assert "Kamis, 10 Juli 2025" in page.content.decode()

    duplicate = client.post(url, {"date": "2025-07-10", "kind": "working", "reason": "Lagi"})
    assert duplicate.status_code == 200
    assert duplicate.context["form"].errors

    assert client.post(url, {"remove": str(day.pk)}).status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(object_type="programmes.calendarday").count() == 2


def test_a_global_day_cannot_be_removed_from_a_programme_page(frozen, world):
    day = CalendarDay.objects.create(date=datetime.date(2025, 7, 10), kind="blackout", reason="x")
    url = _url(world, "calendar/days")
    client = client_for(world.organiser)
    assert client.post(url, {"remove": str(day.pk)}).status_code == 404
    assert client.post(url, {"remove": "abc"}).status_code == 404
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_calendar_days_page_lists_holidays_in_the_programme_period(frozen, world):
    world.programme.end_date = datetime.date(2025, 8, 31)
    world.programme.save(update_fields=["end_date"])
    page = client_for(world.organiser).get(_url(world, "calendar/days")).content.decode()
    assert "Hari Kemerdekaan Republik Indonesia" in page
    assert "Minggu, 17 Agustus 2025" in page
    assert "Hari Raya Natal" not in page


def test_preview_query_count_does_not_grow_with_slots(frozen, world, django_assert_max_num_queries):
    client = client_for(world.organiser)
    client.post(_url(world), {**_form(world, count="2"), "action": "preview"})  # warm caches
    with django_assert_max_num_queries(20):
        response = client.post(_url(world), {**_form(world, count="60"), "action": "preview"})
    assert len(response.context["rows"]) == 60
