"""Month and week calendars and "my schedule", through the HTTP client."""

import datetime

import pytest
import time_machine

from cakap.core.formatting import JAKARTA
from cakap.programmes.models import CalendarDay, Group, Session
from conftest import client_for

NOW = datetime.datetime(2025, 8, 18, 1, 0, tzinfo=datetime.UTC)  # Senin, 18 Agustus 2025


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 makes each persona cost most of a second; these tests never check a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _month(world, query=""):
    return f"/programmes/{world.programme.pk}/calendar/{query}"


def _week(world, query=""):
    return f"/programmes/{world.programme.pk}/calendar/week/{query}"


def _session_ids(response):
    return {s.pk for cell in response.context["cells"] for s in cell.sessions}


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("organiser", True, True),
        ("admin", True, True),
        ("coach", True, False),
        ("participant", True, False),
        ("other_participant", False, True),
        ("leader", True, False),  # only groups with people of their unit
    ],
)
def test_month_shows_the_sessions_each_persona_may_see(frozen, world, persona, sees_a, sees_b):
    response = client_for(getattr(world, persona)).get(_month(world))
    assert response.status_code == 200
    ids = _session_ids(response)
    assert (world.session_a.pk in ids) is sees_a
    assert (world.session_b.pk in ids) is sees_b


@pytest.mark.parametrize("path", ["calendar/", "calendar/week/"])
def test_outsiders_get_404(frozen, world, path):
    response = client_for(world.leader_other).get(f"/programmes/{world.programme.pk}/{path}")
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(world):
    assert client_for(None).get(_month(world)).status_code == 302


def test_month_marks_today_holidays_and_blackouts(frozen, world):
    CalendarDay.objects.create(
        date=datetime.date(2025, 8, 20),
        kind="blackout",
        reason="HUT Kabupaten",
        programme=world.programme,
    )
    response = client_for(world.participant).get(_month(world))
    cells = {c.date: c for c in response.context["cells"]}
    assert response.context["month"] == datetime.date(2025, 8, 1)
    # The grid runs Monday to Sunday: 28 July to 31 August 2025.
    assert min(cells) == datetime.date(2025, 7, 28)
    assert max(cells) == datetime.date(2025, 8, 31)
    assert [d for d, c in cells.items() if c.is_today] == [datetime.date(2025, 8, 18)]
    assert cells[datetime.date(2025, 8, 17)].holiday == "Hari Kemerdekaan Republik Indonesia"
    assert cells[datetime.date(2025, 8, 18)].holiday.startswith("Cuti Bersama")
    assert cells[datetime.date(2025, 8, 20)].blackout
    html = response.content.decode()
    assert 'aria-current="date"' in html
    assert "HUT Kabupaten" in html
    assert "Agustus 2025" in html


def test_month_navigation(frozen, world):
    response = client_for(world.organiser).get(_month(world, "?month=2025-12"))
    assert response.context["prev_month"] == datetime.date(2025, 11, 1)
    assert response.context["next_month"] == datetime.date(2026, 1, 1)
    html = response.content.decode()
    assert "?month=2026-01" in html and "?month=2025-11" in html
    assert "Hari Raya Natal" in html


@pytest.mark.parametrize("value", ["2025-13", "abc", "0000-01", "2025-1", "9999-12"])
def test_a_bad_month_falls_back_to_this_month(frozen, world, value):
    response = client_for(world.organiser).get(_month(world, f"?month={value}"))
    assert response.status_code == 200
    assert response.context["month"] == datetime.date(2025, 8, 1)


def test_session_on_the_wib_date_not_the_utc_date(frozen, world):
    # 06.30 WIB on 1 September is still 31 August in UTC.
    start = datetime.datetime(2025, 9, 1, 6, 30, tzinfo=JAKARTA)
    early = Session.objects.create(
        group=world.group_a, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    response = client_for(world.organiser).get(_month(world, "?month=2025-09"))
    cells = {c.date: c for c in response.context["cells"]}
    assert [s.pk for s in cells[datetime.date(2025, 9, 1)].sessions] == [early.pk]
    aug = client_for(world.organiser).get(_month(world, "?month=2025-08"))
    assert early.pk not in _session_ids(aug)


def _many_sessions(world, count=20):
    base = datetime.datetime(2025, 8, 4, 8, 0, tzinfo=JAKARTA)
    group_c = Group.objects.create(programme=world.programme, name="C")
    Session.objects.bulk_create(
        Session(
            group=world.group_a if i % 2 else group_c,
            starts_at=base + datetime.timedelta(days=i),
            ends_at=base + datetime.timedelta(days=i, hours=2),
            coach=world.coach.person,
            module=world.session_a.module,
        )
        for i in range(count)
    )


@pytest.mark.parametrize("persona", ["organiser", "participant", "coach"])
def test_month_query_count_does_not_grow_with_sessions(
    frozen, world, persona, django_assert_max_num_queries
):
    _many_sessions(world)
    client = client_for(getattr(world, persona))
    # Constant: session, user, role checks (is_admin is not cached), programme, calendar
    # days, sessions; 20 sessions cost no more than one.
    with django_assert_max_num_queries(15):
        response = client.get(_month(world))
    assert response.status_code == 200


def test_week_shows_monday_to_sunday_with_sessions(frozen, world, django_assert_max_num_queries):
    _many_sessions(world)
    client = client_for(world.organiser)
    with django_assert_max_num_queries(15):
        response = client.get(_week(world, "?date=2025-08-20"))
    cells = response.context["cells"]
    assert [c.date for c in cells][0] == datetime.date(2025, 8, 18)
    assert [c.date for c in cells][-1] == datetime.date(2025, 8, 24)
    assert sum(len(c.sessions) for c in cells) == 8  # 18-23 August, and two today
    html = response.content.decode()
    assert "08.00\u201310.00 WIB" in html
    assert "?date=2025-08-11" in html and "?date=2025-08-25" in html


def test_week_defaults_to_this_week(frozen, world):
    response = client_for(world.participant).get(_week(world, "?date=nonsense"))
    assert response.context["week_start"] == datetime.date(2025, 8, 18)
    assert [c.is_today for c in response.context["cells"]][0]


def test_generate_link_only_for_organisers(frozen, world):
    link = f"/programmes/{world.programme.pk}/schedule/generate/"
    assert link in client_for(world.organiser).get(_month(world)).content.decode()
    assert link not in client_for(world.coach).get(_month(world)).content.decode()


# My schedule.


def _later(world, group, days, **kwargs):
    start = datetime.datetime(2025, 8, 18, 13, 0, tzinfo=JAKARTA) + datetime.timedelta(days=days)
    return Session.objects.create(
        group=group, starts_at=start, ends_at=start + datetime.timedelta(hours=1), **kwargs
    )


def _listed(response):
    return {s.pk for _day, sessions in response.context["days"] for s in sessions}


def test_my_schedule_per_persona(frozen, world):
    a = _later(world, world.group_a, 1)
    b = _later(world, world.group_b, 2)
    past = _later(world, world.group_a, -10)
    coached = _later(world, world.group_b, 3, coach=world.coach.person)
    sa, sb = world.session_a.pk, world.session_b.pk  # today 09.00 WIB, still to come
    expected = {
        "participant": {sa, a.pk},
        "other_participant": {sb, b.pk, coached.pk},
        "coach": {sa, a.pk, coached.pk},
        "organiser": {sa, sb, a.pk, b.pk, coached.pk},
        "leader_other": set(),
    }
    for persona, ids in expected.items():
        response = client_for(getattr(world, persona)).get("/programmes/my-schedule/")
        assert response.status_code == 200
        assert _listed(response) == ids, persona
        assert past.pk not in _listed(response)


def test_my_schedule_groups_by_day_and_links_the_feed(frozen, world, django_assert_max_num_queries):
    for days in range(1, 11):
        _later(world, world.group_a, days, module=world.session_a.module)
    client = client_for(world.participant)
    with django_assert_max_num_queries(14):
        response = client.get("/programmes/my-schedule/")
    days = response.context["days"]
    assert [d for d, _s in days] == sorted(d for d, _s in days)
    assert [d for d, _s in days][:2] == [datetime.date(2025, 8, 18), datetime.date(2025, 8, 19)]
    html = response.content.decode()
    assert "Selasa, 19 Agustus 2025" in html
    assert "13.00\u201314.00 WIB" in html
    assert f"/programmes/feed/{world.participant.feed_token}.ics" in html
    assert "webcal://" in html
    assert response.context["month"] == datetime.date(2025, 8, 1)
