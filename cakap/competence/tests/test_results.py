"""Results: scores per competence mapped to levels, gains, aggregates with their n,
the participant profile, the coach's heatmap, item analysis and the export."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from cakap.competence.models import Attempt, CompetenceScore, Item
from cakap.competence.tests.helpers import make_quiz, right_answer, take, wrong_answer
from cakap.people.models import Person
from cakap.programmes.models import Enrolment
from conftest import client_for


@pytest.fixture
def pre_post(world, literacy):
    """Participant: CD 50 -> 100, ED 0 -> 100, AD 100 -> 100, BD 0 -> 50.
    Other participant (group B): everything wrong, then everything right."""
    quiz = make_quiz(world, literacy, phases=("pre", "post"))
    by_code: dict[str, list[Item]] = {}
    for item in quiz.items:
        by_code.setdefault(item.competence.code, []).append(item)
    cd, ed, ad, bd = (by_code[c] for c in ("CD", "ED", "AD", "BD"))
    pre = {cd[0].pk: right_answer(cd[0]), cd[1].pk: wrong_answer(cd[1])}
    pre |= {i.pk: wrong_answer(i) for i in ed} | {i.pk: right_answer(i) for i in ad}
    pre |= {i.pk: wrong_answer(i) for i in bd}
    post = {i.pk: right_answer(i) for i in cd + ed + ad}
    post |= {bd[0].pk: right_answer(bd[0]), bd[1].pk: wrong_answer(bd[1])}
    take(world.participant, quiz.pre, pre)
    take(world.participant, quiz.post, post)
    take(world.other_participant, quiz.pre, {i.pk: wrong_answer(i) for i in quiz.items})
    take(world.other_participant, quiz.post, {i.pk: right_answer(i) for i in quiz.items})
    return quiz


def _profile(client, quiz, user):
    person = Person.objects.get(user=user)
    return client.get(f"/competence/instruments/{quiz.instrument.pk}/people/{person.pk}/")


def test_scores_map_to_levels_and_gains_are_absolute_and_normalised(world, pre_post):
    response = _profile(client_for(world.participant), pre_post, world.participant)
    assert response.status_code == 200
    rows = {r["competence"].code: r for r in response.context["rows"]}
    assert (rows["CD"]["pre"], rows["CD"]["post"]) == (Decimal("50.0"), Decimal("100.0"))
    assert rows["CD"]["gain"] == Decimal("50.0")
    assert rows["CD"]["normalised"] == Decimal("1.00")
    assert rows["BD"]["gain"] == Decimal("50.0")
    assert rows["BD"]["normalised"] == Decimal("0.50")
    # Pre at 100: no room to gain, so the normalised gain is undefined, not 0 or 1.
    assert rows["AD"]["gain"] == Decimal("0.0")
    assert rows["AD"]["normalised"] is None
    levels = dict(
        CompetenceScore.objects.filter(
            attempt__person__user=world.participant, attempt__administration=pre_post.pre
        ).values_list("competence__code", "level")
    )
    assert levels == {"CD": 3, "ED": 1, "AD": 5, "BD": 1}
    assert response.context["chart"].startswith("data:image/svg+xml;base64,")


def test_the_three_weakest_competences_are_the_coaching_focus(world, pre_post):
    response = _profile(client_for(world.coach), pre_post, world.participant)
    # Latest (post) scores: CD 100, ED 100, AD 100, BD 50; full marks are never a focus.
    assert [c.code for c in response.context["focus"]] == ["BD"]
    other = _profile(client_for(world.organiser), pre_post, world.other_participant)
    assert other.context["focus"] == []  # all right in the post-test


def test_the_focus_is_the_three_lowest_in_framework_order_on_ties(world, literacy):
    quiz = make_quiz(world, literacy)
    take(world.participant, quiz.pre, {})  # nothing answered: 0 everywhere
    response = _profile(client_for(world.participant), quiz, world.participant)
    assert [c.code for c in response.context["focus"]] == ["CD", "ED", "AD"]


def test_aggregates_name_the_people_behind_each_figure(world, pre_post):
    response = client_for(world.organiser).get(
        f"/competence/instruments/{pre_post.instrument.pk}/results/"
    )
    assert response.status_code == 200
    tables = dict(response.context["tables"])
    (programme,) = tables["Programme"] if "Programme" in tables else tables["Program"]
    assert programme.people == 2
    assert programme.overall.n == 2
    cd = response.context["data"].competences[0]
    agg = programme.per_competence[cd.pk]
    assert agg.n == 2
    assert agg.pre == 25 and agg.post == 100  # (50 + 0) / 2 -> (100 + 100) / 2
    assert agg.normalised == 1
    groups = {row.label: row for row in response.context["tables"][1][1]}
    assert set(groups) == {"A", "B"}
    assert groups["A"].people == 1


def test_coach_aggregates_cover_only_their_group(world, pre_post):
    response = client_for(world.coach).get(
        f"/competence/instruments/{pre_post.instrument.pk}/results/"
    )
    programme = response.context["tables"][0][1][0]
    assert programme.people == 1
    assert [p.name for p in response.context["people"]] == ["Participant"]


def test_heatmap_shows_participants_by_competences(world, pre_post):
    url = f"/competence/instruments/{pre_post.instrument.pk}/groups/{world.group_a.pk}/heatmap/"
    response = client_for(world.coach).get(url + "?phase=pre")
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row["person"].name == "Participant"
    assert [v for v, _level in row["cells"]] == [
        Decimal("50.0"),
        Decimal("0.0"),
        Decimal("100.0"),
        Decimal("0.0"),
    ]
    assert response.context["chart"].startswith("data:image/svg+xml;base64,")
    other_group = (
        f"/competence/instruments/{pre_post.instrument.pk}/groups/{world.group_b.pk}/heatmap/"
    )
    assert client_for(world.coach).get(other_group).status_code == 404
    assert client_for(world.organiser).get(other_group).status_code == 200


def test_item_analysis_gives_difficulty_and_discrimination(world, pre_post):
    response = client_for(world.organiser).get(
        f"/competence/administrations/{pre_post.pre.pk}/items/"
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 8
    assert all(r.stats.n == 2 for r in rows)
    by_text = {r.item.text: r.stats for r in rows}
    assert by_text["A strong password is…"].difficulty == 0.5  # one of the two got it right
    assert by_text["Before posting you should…"].difficulty == 0.0  # nobody did
    assert (
        client_for(world.participant)
        .get(f"/competence/administrations/{pre_post.pre.pk}/items/")
        .status_code
        == 404
    )


def test_results_export_to_xlsx(world, pre_post):
    response = client_for(world.organiser).get(
        f"/competence/instruments/{pre_post.instrument.pk}/results.xlsx"
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    scores, summary = wb.worksheets
    assert scores.max_row == 1 + 2 * 4  # header, 2 people x 4 competences
    nips = {row[0] for row in scores.iter_rows(min_row=2, values_only=True)}
    assert nips == {"196803032000121003", "197204042001022004"}
    assert summary.max_row > 1


def _crowd(world, quiz, n):
    """`n` more participants in group A with pre and post scores, written directly."""
    people = Person.objects.bulk_create(
        Person(nip=f"19800101200501{i:04d}", name=f"Peserta {i:03d}", unit=world.dinkes)
        for i in range(n)
    )
    Enrolment.objects.bulk_create(
        Enrolment(programme=world.programme, group=world.group_a, person=p) for p in people
    )
    now = timezone.now()
    competences = sorted({i.competence for i in quiz.items}, key=lambda c: c.order)
    for administration in (quiz.pre, quiz.post):
        attempts = Attempt.objects.bulk_create(
            Attempt(administration=administration, person=p, started_at=now, submitted_at=now)
            for p in people
        )
        CompetenceScore.objects.bulk_create(
            CompetenceScore(
                attempt=a,
                competence=c,
                earned=1,
                possible=2,
                percent=Decimal(10 * (k % 10)),
                level=2,
            )
            for k, a in enumerate(attempts)
            for c in competences
        )


@pytest.mark.parametrize("n", [3, 30])
def test_heatmap_and_aggregates_cost_the_same_at_any_size(
    world, literacy, django_assert_max_num_queries, n
):
    quiz = make_quiz(world, literacy, phases=("pre", "post"))
    _crowd(world, quiz, n)
    coach = client_for(world.coach)
    organiser = client_for(world.organiser)
    heatmap = f"/competence/instruments/{quiz.instrument.pk}/groups/{world.group_a.pk}/heatmap/"
    # Session, user, scope look-ups, then a fixed handful for people, scores, competences.
    with django_assert_max_num_queries(10):
        response = coach.get(heatmap)
    assert len(response.context["rows"]) == n + 1
    # The summary and one page of people: scope checks, people, scores, labels, a count.
    with django_assert_max_num_queries(16):
        response = organiser.get(f"/competence/instruments/{quiz.instrument.pk}/results/")
    assert response.context["tables"][0][1][0].overall.n == n
    # The scores per person and, apart, the summary's sums: a fixed number either way.
    with django_assert_max_num_queries(17):
        organiser.get(f"/competence/instruments/{quiz.instrument.pk}/results.xlsx")
    with django_assert_max_num_queries(12):
        rows = organiser.get(f"/api/v1/competence/instruments/{quiz.instrument.pk}/results")
    assert len(rows.json()) == (n + 2) * 4


def test_the_heatmap_names_competences_not_codes(world, pre_post):
    import base64

    url = f"/competence/instruments/{pre_post.instrument.pk}/groups/{world.group_a.pk}/heatmap/"
    response = client_for(world.coach).get(url + "?phase=pre")
    competences = response.context["data"].competences
    html = response.content.decode()
    svg = base64.b64decode(response.context["chart"].split(",", 1)[1]).decode()
    for c in competences:
        assert f'<th class="num" scope="col">{c.label}</th>' in html
        assert c.label.split()[0] in svg  # the chart's axis (its text may be wrapped)
    assert f'<th class="num" scope="col">{competences[0].code}</th>' not in html
