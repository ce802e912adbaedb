"""The recap matrix: numbers, XLSX and CSV exports, scopes and a fixed query count."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook

from cakap.attendance.queries import recap_for_group, recap_for_programme
from cakap.attendance.services import set_status
from cakap.attendance.tests.roll_support import (
    add_participants,
    add_sessions,
    at_minutes,
    person_of,
    travel,
)
from cakap.programmes.models import Session
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scene(world):
    """Group A: four participants, sessions A (held), 2 (held), 3 (planned), 4 (cancelled)."""
    world.programme.target_sessions = 0
    world.programme.min_attendance_pct = 75
    world.programme.save()
    p000, p001, p002 = add_participants(world, 3)
    me = person_of(world.participant)
    s2, s3, s4 = add_sessions(world, [2, 4, 7])
    Session.objects.filter(pk=s4.pk).update(status=Session.Status.CANCELLED)
    with travel(at_minutes(world, 5)):
        for person, status in ((me, "hadir"), (p000, "terlambat"), (p002, "alpa")):
            set_status(world.session_a, person, status, acting_user=world.coach)
        set_status(world.session_a, p001, "izin", reason="Duka", acting_user=world.coach)
    with travel(at_minutes(world, 5) + datetime.timedelta(days=2)):
        for person in (me, p000, p001):
            set_status(s2, person, "hadir", acting_user=world.coach)
    Session.objects.filter(pk__in=[world.session_a.pk, s2.pk]).update(status="held")
    return world


def test_the_group_matrix_counts_letters_totals_and_standing(scene):
    recap = recap_for_group(scene.group_a)
    assert len(recap.columns) == 3  # the cancelled session is left out
    table = {row.person.name: [c.letter for c in row.cells] for row in recap.rows}
    assert table == {
        "Participant": ["H", "H", "·"],
        "Peserta 000": ["T", "H", "·"],
        "Peserta 001": ["I", "H", "·"],
        "Peserta 002": ["A", "–", "·"],
    }
    by_name = {row.person.name: row for row in recap.rows}
    me = by_name["Participant"].standing
    assert (me.attended, me.counted, me.remaining, me.target, me.needed) == (2, 2, 1, 3, 1)
    assert not me.at_risk and me.pct == 100.0
    izin = by_name["Peserta 001"]
    assert izin.counts["izin"] == 1 and izin.counts["hadir"] == 1
    assert (izin.standing.attended, izin.standing.cannot_reach) == (1, True)
    absent = by_name["Peserta 002"].standing
    assert (absent.attended, absent.counted, absent.cannot_reach) == (0, 2, True)
    assert [(t.present, t.counted, t.pct) for t in recap.totals] == [
        (2, 4, 50.0),
        (3, 4, 75.0),
        (0, 0, None),
    ]
    # Those who cannot reach first, the one needing most sessions first among them.
    assert [r.person.name for r in recap.at_risk] == ["Peserta 002", "Peserta 001"]


def test_the_programme_matrix_aligns_meetings_across_groups(scene):
    recap = recap_for_programme(scene.programme)
    assert len(recap.columns) == 3
    other = next(r for r in recap.rows if r.person.name == "Other")
    assert [c.letter for c in other.cells] == ["·", "", ""]
    assert other.group == scene.group_b
    assert len(recap.rows) == 5


def test_the_page_shows_the_matrix(scene):
    response = client_for(scene.organiser).get(f"/attendance/recap/groups/{scene.group_a.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Peserta 002" in body and "2/4" in body
    assert "75,0%" in body  # localised: Indonesian by default


def test_the_xlsx_export_opens_with_the_same_numbers(scene):
    response = client_for(scene.organiser).get(
        f"/attendance/recap/groups/{scene.group_a.pk}/export.xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Coaching Clinic — A"
    header = list(rows[2])
    assert header[2] == "NIP" and len(header) == 5 + 3 + 6 + 7
    assert rows[3][2] == person_of(scene.participant).nip  # text, not a number
    assert rows[3][1] == "Participant"
    assert list(rows[3][5:8]) == ["H", "H", "·"]
    assert list(rows[6][5:8]) == ["A", "–", "·"]
    assert rows[6][-1]  # at risk
    assert rows[7][5:8] == ("2/4", "3/4", "0/0")


def test_the_csv_export_parses_with_the_same_numbers(scene):
    response = client_for(scene.organiser).get(
        f"/attendance/recap/programmes/{scene.programme.pk}/export.csv"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][2] == "NIP" and rows[0][5:8] == ["1", "2", "3"]
    by_name = {r[1]: r for r in rows[1:-1]}
    assert set(by_name) == {"Participant", "Peserta 000", "Peserta 001", "Peserta 002", "Other"}
    assert by_name["Participant"][2] == person_of(scene.participant).nip
    assert by_name["Peserta 001"][5:8] == ["I", "H", "·"]
    # H T I S DL A, attended, counted, remaining, %, target, still needed, at risk
    assert by_name["Peserta 001"][8:] == [
        "1", "0", "1", "0", "0", "0", "1", "2", "1", "50.0", "3", "2", "tidak mungkin tercapai",
    ]  # fmt: skip


def test_a_name_that_looks_like_a_formula_is_quoted_in_csv(scene):
    person = add_participants(scene, 1, start=50)[0]
    person.name = '=HYPERLINK("http://x")'
    person.save()
    response = client_for(scene.organiser).get(
        f"/attendance/recap/groups/{scene.group_a.pk}/export.csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any(r[1].startswith("'=HYPERLINK") for r in rows)


# (the page, the file): the leader of the participant's unit reads the page, never the file.
GROUP_RECAP = {
    "organiser": (200, 200),
    "coach": (200, 200),
    "admin": (200, 200),
    "participant": (404, 404),
    "other_participant": (404, 404),
    "leader": (200, 404),
    "leader_other": (404, 404),
}


@pytest.mark.parametrize(("persona", "statuses"), sorted(GROUP_RECAP.items()))
def test_the_group_recap_is_scoped(world, persona, statuses):
    client = client_for(getattr(world, persona))
    page = client.get(f"/attendance/recap/groups/{world.group_a.pk}/")
    export = client.get(f"/attendance/recap/groups/{world.group_a.pk}/export.csv")
    assert (page.status_code, export.status_code) == statuses


@pytest.mark.parametrize("persona", ["coach", "participant", "leader_other"])
def test_the_programme_recap_is_the_organisers_and_leaders(world, persona):
    client = client_for(getattr(world, persona))
    assert client.get(f"/attendance/recap/programmes/{world.programme.pk}/").status_code == 404
    url = f"/attendance/recap/programmes/{world.programme.pk}/export.xlsx"
    assert client.get(url).status_code == 404


def test_a_coach_cannot_read_another_groups_recap(world):
    response = client_for(world.coach).get(f"/attendance/recap/groups/{world.group_b.pk}/")
    assert response.status_code == 404


def test_an_unknown_format_is_404(world):
    url = f"/attendance/recap/groups/{world.group_a.pk}/export.pdf"
    assert client_for(world.organiser).get(url).status_code == 404


@pytest.mark.parametrize("size", [5, 40])
@pytest.mark.parametrize(
    "url",
    [
        "/attendance/recap/programmes/{programme}/",
        "/attendance/recap/groups/{group}/",
        "/attendance/recap/programmes/{programme}/export.xlsx",
        "/attendance/recap/groups/{group}/export.csv",
        "/attendance/risk/programmes/{programme}/",
    ],
)
def test_the_recap_costs_the_same_whatever_the_roster(
    world, size, url, django_assert_max_num_queries
):
    people = add_participants(world, size)
    sessions = add_sessions(world, [2, 4])
    with travel(at_minutes(world, 5)):
        for p in people[::2]:
            set_status(world.session_a, p, "hadir", acting_user=world.coach)
    Session.objects.filter(pk=world.session_a.pk).update(status="held")
    client = client_for(world.organiser)
    with django_assert_max_num_queries(13):
        response = client.get(url.format(programme=world.programme.pk, group=world.group_a.pk))
    assert response.status_code == 200
    assert len(sessions) == 2
