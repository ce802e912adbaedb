"""The recaps at province scale and for leaders: the programme's pages lead with a
summary and show one page of people, filtered by group, unit and status; a page costs
the same queries at 100 and at 1,000 participants; leaders read their units' people only,
with nothing on the page that changes anything."""

import io
import re

import pytest
from django.db.models import Q
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

import bench.province as province
from cakap.attendance import exports, overview
from cakap.attendance.queries import recap_for_programme
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.models import Enrolment
from conftest import client_for

pytestmark = pytest.mark.django_db


def _seed(participants: int = 120, groups: int = 6):
    programme = province.seed_province(
        participants=participants, groups=groups, sessions_per_group=6, held_sessions=3
    )
    return programme, province.personas(programme)


def _urls(programme):
    group = programme.groups.order_by("name").first()
    return {
        "recap": f"/attendance/recap/programmes/{programme.pk}/",
        "risk": f"/attendance/risk/programmes/{programme.pk}/",
        "heatmap": f"/attendance/recap/groups/{group.pk}/",
    }


def _nips(body: str) -> set[str]:
    """The participants a page names, by their grouped NIP."""
    return set(re.findall(r"\d{8} \d{6} \d \d{3}", body))


def _grouped(nip: str) -> str:
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


# ---------------------------------------------------------------- leaders


def test_the_head_of_an_office_reads_only_the_people_of_the_office(settings):
    programme, who = _seed()
    mine = {
        _grouped(n)
        for n in Person.objects.filter(
            unit__path__startswith=who.leader_unit.path, enrolments__programme=programme
        ).values_list("nip", flat=True)
    }
    client = client_for(who.unit_leader)
    seen: set[str] = set()
    for name, url in _urls(programme).items():
        response = client.get(url, {"status": ""} if name != "heatmap" else {})
        assert response.status_code == 200, name
        body = response.content.decode()
        seen |= _nips(body)
        assert '<form method="post"' not in body  # nothing that changes anything
        assert "export." not in body and "/roll/" not in body
    assert seen and seen <= mine
    recap = client.get(_urls(programme)["recap"]).context
    assert recap["found"].total.participants == len(mine)


def test_the_bupati_reads_everyone_and_a_leader_of_nobody_reads_nothing():
    programme, who = _seed()
    response = client_for(who.regency_leader).get(_urls(programme)["recap"])
    assert response.status_code == 200
    assert response.context["found"].total.participants == 120
    assert not response.context["runs"]
    # The head of the secretariat leads no participant of this programme.
    setda = Unit.objects.get(parent=who.regency, short_name="Setda")
    sekretaris = User.objects.create(email="setda@province.bench")
    RoleAssignment.objects.create(user=sekretaris, role="leader", unit=setda)
    for url in _urls(programme).values():
        assert client_for(sekretaris).get(url).status_code == 404
        assert client_for(who.participant).get(url).status_code == 404
    files = (f"/attendance/recap/programmes/{programme.pk}/export.xlsx",)
    for url in files:
        assert client_for(who.regency_leader).get(url).status_code == 404
        assert client_for(who.organiser).get(url).status_code == 200


# ---------------------------------------------------------------- summary and filters


def test_the_summary_agrees_with_the_whole_matrix():
    programme, who = _seed()
    full = {row.person.pk: row.standing for row in recap_for_programme(programme).rows}
    groups = {g.pk: g for g in programme.groups.order_by("name")}
    found = overview.overview(programme, Q(), overview.Filters(), groups)
    assert {e.person_id: e.standing for e in found.entries} == full
    assert found.total.at_risk == sum(st.at_risk for st in full.values()) > 0
    assert sum(t.participants for _, t in found.by_group) == 120
    # Per unit: the regency's offices, each with its divisions.
    assert {u.parent_id for u, _ in found.by_unit} == {who.regency.pk}
    assert sum(t.participants for _, t in found.by_unit) == 120


def test_the_filters_narrow_the_people_and_say_what_they_refuse():
    programme, who = _seed()
    client = client_for(who.organiser)
    url = _urls(programme)["recap"]
    group = programme.groups.order_by("name")[1]
    by_group = client.get(url, {"group": group.pk}).context
    assert {e.group_id for e in by_group["found"].entries} == {group.pk}
    unit = who.leader_unit
    by_unit = client.get(url, {"unit": unit.pk, "status": "cannot_reach"}).context
    entries = by_unit["found"].entries
    assert entries and all(e.unit_path.startswith(unit.path) for e in entries)
    assert all(e.standing.cannot_reach for e in entries)
    # The summary per unit goes one level down: the office and its divisions.
    assert {u.pk for u, _ in by_unit["found"].by_unit} <= set(
        Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)
    )
    other = province.seed_province(participants=20, groups=2)
    foreign = other.groups.first()
    assert foreign is not None
    bad_filters: list[dict[str, str | int]] = [
        {"group": foreign.pk},
        {"group": "x"},
        {"unit": 10**20},
        {"status": "gone"},
    ]
    for bad in bad_filters:
        response = client.get(url, {**bad, "page": "abc"})
        assert response.status_code == 200, bad
        assert response.context["errors"], bad
        assert response.context["found"].total.participants == 120  # the rest still applies


def test_the_at_risk_list_puts_those_who_cannot_reach_first():
    programme, who = _seed()
    response = client_for(who.organiser).get(_urls(programme)["risk"])
    entries = list(response.context["page"])
    assert entries and all(e.at_risk for e in entries)
    flags = [e.cannot_reach for e in entries]
    assert flags == sorted(flags, reverse=True)


# ---------------------------------------------------------------- cost


@pytest.mark.parametrize("participants", [100, 1000])
@pytest.mark.parametrize(
    ("page", "persona", "params", "queries"),
    [
        ("recap", "organiser", {}, 14),
        ("recap", "regency_leader", {"status": "at_risk", "page": "2"}, 14),
        ("recap", "unit_leader", {"unit": "leader_unit"}, 16),
        ("risk", "organiser", {}, 10),
        ("risk", "unit_leader", {"group": "first"}, 10),
        ("heatmap", "organiser", {}, 10),
        ("heatmap", "regency_leader", {}, 11),
    ],
)
def test_a_page_costs_the_same_queries_whatever_the_size(
    participants, page, persona, params, queries, django_assert_max_num_queries
):
    programme, who = _seed(participants, groups=10)
    values = {
        k: who.leader_unit.pk
        if v == "leader_unit"
        else (programme.groups.order_by("name").first().pk if v == "first" else v)
        for k, v in params.items()
    }
    client = client_for(getattr(who, persona))
    client.get("/")  # the session and the login are read once before
    with django_assert_max_num_queries(queries):
        response = client.get(_urls(programme)[page], values)
    assert response.status_code == 200
    # One page of people, whatever the roster: 50 rows at most, well under 200 KB.
    assert len(response.content) < 200_000
    if page != "heatmap":
        assert len(list(response.context["page"])) <= overview.PER_PAGE
    assert Enrolment.objects.filter(programme=programme).count() == participants


# ---------------------------------------------------------------- the workbook


def test_the_workbook_is_written_row_by_row_and_tells_its_progress():
    programme, who = _seed(participants=1200, groups=4)
    first = Person.objects.filter(enrolments__programme=programme).order_by("name").first()
    assert first is not None
    first.name = '=HYPERLINK("http://x")'
    first.save()
    recap = recap_for_programme(programme)
    calls: list[tuple[int, int]] = []
    data = exports.recap_xlsx(recap, on_progress=lambda done, total: calls.append((done, total)))
    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]
    sheet = load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    assert sheet.freeze_panes == "F4"
    rows = list(sheet.iter_rows())
    assert len(rows) == 3 + 1200 + 1
    header = [c.value for c in rows[2]]
    assert header[:5] == ["No", "Nama", "NIP", "Unit kerja", "Kelompok"]
    # Text as text: the name that looks like a formula, and every NIP.
    named = next(r for r in rows[3:-1] if r[1].value == '=HYPERLINK("http://x")')
    assert named[1].data_type == "s" and named[1].quotePrefix
    assert all(r[2].data_type == "s" and len(str(r[2].value)) == 18 for r in rows[3:-1])
    risky = [r for r in rows[3:-1] if r[-1].value]
    assert len(risky) == sum(row.standing.at_risk for row in recap.rows) > 0
    assert all(c.fill.fgColor.rgb.endswith("FDECEA") for c in risky[0])
    assert rows[-1][1].value == "Hadir per sesi"
