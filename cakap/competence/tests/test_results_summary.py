"""The results page at any size: the summary computed from sums gives exactly the
aggregates of the per-person results, the people come a page at a time (of one group or
one unit if asked), bad filters are refused with a message, the page's queries do not
grow with the roster, and the workbook reports its progress."""

import io
import random
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cakap.competence import exports, queries
from cakap.competence.models import Attempt, CompetenceScore
from cakap.competence.tests.helpers import make_quiz
from cakap.people.models import Person
from cakap.programmes.models import Enrolment
from conftest import client_for


def _crowd(world, quiz, n, *, seed=3):
    """`n` more participants spread over both groups and two units, with random scores
    (one decimal), some missing a phase or a competence."""
    rng = random.Random(seed)
    units = [world.dinkes, world.kecamatan]
    people = Person.objects.bulk_create(
        Person(nip=f"19800101200501{i:04d}", name=f"Peserta {i:03d}", unit=units[i % 2])
        for i in range(n)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            programme=world.programme,
            group=world.group_a if i % 3 else world.group_b,
            person=p,
        )
        for i, p in enumerate(people)
    )
    now = timezone.now()
    competences = sorted({i.competence for i in quiz.items}, key=lambda c: c.order)
    for administration in (quiz.pre, quiz.post):
        takers = [p for p in people if rng.random() < 0.85]
        attempts = Attempt.objects.bulk_create(
            Attempt(administration=administration, person=p, started_at=now, submitted_at=now)
            for p in takers
        )
        CompetenceScore.objects.bulk_create(
            CompetenceScore(
                attempt=a,
                competence=c,
                earned=1,
                possible=3,
                percent=Decimal(rng.randint(0, 1000)) / 10,
                level=2,
            )
            for a in attempts
            for c in competences
            if rng.random() < 0.9
        )
    return people


@pytest.fixture
def crowded(world, literacy):
    quiz = make_quiz(world, literacy, phases=("pre", "post"))
    _crowd(world, quiz, 60)
    return quiz


def _url(quiz, query=""):
    return f"/competence/instruments/{quiz.instrument.pk}/results/{query}"


@pytest.mark.parametrize("persona", ["organiser", "coach", "leader"])
def test_the_summary_gives_exactly_the_per_person_aggregates(world, crowded, persona):
    user = getattr(world, persona)
    reference = queries.instrument_results(user, crowded.instrument)
    summary = queries.results_summary(user, crowded.instrument)
    assert summary.competences == reference.competences
    for by in ("programme", "group", "unit"):
        assert summary.aggregate(by) == reference.aggregate(by), by
    assert summary.aggregate("programme")[0].overall.n > 0


def test_the_page_lists_one_page_of_people_and_pages_on(world, crowded):
    client = client_for(world.organiser)
    first = client.get(_url(crowded))
    assert first.status_code == 200
    assert first.context["page"].paginator.count == 62
    assert len(first.context["people"]) == 50
    names = [p.name for p in first.context["people"]]
    assert names == sorted(names)
    second = client.get(_url(crowded, "?page=2"))
    assert [p.name for p in second.context["people"]][-1] == max(
        ["Other", "Participant"] + [f"Peserta {i:03d}" for i in range(60)]
    )
    assert len(second.context["people"]) == 12
    assert 'href="?page=2#people"' in first.content.decode()
    # The summary is the whole programme's on every page.
    assert second.context["tables"][0][1][0].people == 62


def test_the_people_can_be_one_group_or_one_unit(world, crowded):
    client = client_for(world.organiser)
    group = client.get(_url(crowded, f"?group={world.group_b.pk}"))
    assert {p.group for p in group.context["people"]} == {"B"}
    assert group.context["page"].paginator.count == 1 + 20
    unit = client.get(_url(crowded, f"?unit={world.kecamatan.pk}&page=1"))
    assert {p.unit_id for p in unit.context["people"]} == {world.kecamatan.pk}
    assert unit.context["page"].paginator.count == 1 + 30
    html = group.content.decode()
    assert f'href="?group={world.group_b.pk}#people"' in html  # the summary links there
    assert f"/groups/{world.group_b.pk}/heatmap/" in html


@pytest.mark.parametrize(
    "query", ["?group=abc", "?unit=999999", "?group=99999999999999999999999", "?page=x"]
)
def test_a_bad_filter_is_refused_with_a_message_and_everyone_is_listed(world, crowded, query):
    response = client_for(world.organiser).get(_url(crowded, query))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 62
    if "page" not in query:
        assert response.context["filters"].errors
        assert 'role="alert"' in response.content.decode()


def test_a_group_outside_the_coachs_scope_is_not_a_filter(world, crowded):
    # The coach sees group A only; group B's id is not among the choices.
    response = client_for(world.coach).get(_url(crowded, f"?group={world.group_b.pk}"))
    assert response.context["filters"].errors
    assert {p.group for p in response.context["people"]} == {"A"}


@pytest.mark.parametrize("n", [20, 200])
def test_the_page_costs_the_same_queries_and_size_at_any_roster(
    world, literacy, django_assert_max_num_queries, n
):
    quiz = make_quiz(world, literacy, phases=("pre", "post"))
    _crowd(world, quiz, n)
    client = client_for(world.organiser)
    with django_assert_max_num_queries(16):
        response = client.get(_url(quiz, f"?unit={world.dinkes.pk}&page=2"))
    assert response.status_code == 200
    assert len(response.context["people"]) <= 50
    # At most one page of people: the page does not grow past that with the roster.
    assert len(response.content) < 40_000


def test_the_workbook_reports_its_progress_and_holds_every_row(world, crowded, monkeypatch):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 50)
    calls: list[tuple[int, int]] = []
    content = exports.results_workbook(
        world.organiser, crowded.instrument, on_progress=lambda d, t: calls.append((d, t))
    )
    scores, aggregates = load_workbook(io.BytesIO(content)).worksheets
    people_rows = scores.max_row - 1
    assert people_rows == 62 * 4
    total = people_rows + aggregates.max_row - 1
    assert calls[-1] == (total, total)
    assert len(calls) == total // 50 + 1
    assert all(t == total and 0 < d <= t for d, t in calls)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


def test_the_workbook_without_a_listener_is_the_same_file_content(world, crowded):
    a = exports.results_workbook(world.organiser, crowded.instrument)
    b = exports.results_workbook(world.organiser, crowded.instrument, on_progress=lambda d, t: None)
    rows = [
        [list(ws.iter_rows(values_only=True)) for ws in load_workbook(io.BytesIO(x)).worksheets]
        for x in (a, b)
    ]
    assert rows[0] == rows[1]
