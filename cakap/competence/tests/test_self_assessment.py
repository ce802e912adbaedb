"""Self-assessment on the framework's levels or a Likert scale; the participant's home."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cakap.competence import services
from cakap.competence.models import CompetenceScore, Instrument
from cakap.competence.tests.helpers import take
from conftest import client_for


def _self_assessment(world, framework, scale, statements):
    services.set_programme_framework(world.programme, framework, acting_user=world.organiser)
    instrument = services.create_instrument(
        world.programme,
        kind=Instrument.Kind.SELF,
        title="Diri",
        scale=scale,
        acting_user=world.organiser,
    )
    items = services.add_items(
        instrument,
        [services.ItemSpec(code, "statement", text, [], []) for code, text in statements],
        acting_user=world.organiser,
    )
    now = timezone.now()
    administration = services.create_administration(
        instrument,
        phase="pre",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=1),
        acting_user=world.organiser,
    )
    return administration, items


def test_statements_on_digcomp_levels_map_back_to_the_level_given(world, digcomp):
    administration, items = _self_assessment(
        world, digcomp, "levels", [("2.1", "I use email"), ("4.2", "I protect my data")]
    )
    take(world.participant, administration, {items[0].pk: [6], items[1].pk: [1]})
    scores = {
        s.competence.code: (s.percent, s.level)
        for s in CompetenceScore.objects.select_related("competence")
    }
    assert scores["2.1"][1] == 6
    assert scores["4.2"] == (Decimal(0), 1)
    page = client_for(world.participant).get(f"/competence/take/{administration.pk}/")
    assert page.status_code == 200  # the receipt, after submission


def test_likert_statements_and_unanswered_ones(world, literacy):
    administration, items = _self_assessment(
        world, literacy, "likert", [("CD", "a"), ("CD", "b"), ("AD", "c")]
    )
    tab = client_for(world.participant)
    tab.post(f"/competence/take/{administration.pk}/start/")
    page = tab.get(f"/competence/take/{administration.pk}/")
    labels = [label for _v, label, _c in page.context["questions"][0]["choices"]]
    assert len(labels) == 5
    take(world.participant, administration, {items[0].pk: [5], items[1].pk: [3]})
    scores = {s.competence.code: s for s in CompetenceScore.objects.select_related("competence")}
    assert scores["CD"].percent == 75  # (4 + 2) of (4 + 4)
    assert scores["CD"].level == 4  # 1 + round(0.75 * 4)
    assert "AD" not in scores  # nothing answered is no score, not the lowest


def test_an_answer_off_the_scale_is_refused(world, literacy):
    administration, items = _self_assessment(world, literacy, "levels", [("CD", "a")])
    attempt = services.start_attempt(administration, acting_user=world.participant)
    with pytest.raises(services.CompetenceError) as caught:
        services.save_answers(attempt, {items[0].pk: [6]}, acting_user=world.participant)
    assert caught.value.code == "invalid_answer"


def test_the_participant_home_lists_open_assessments(world, quiz):
    response = client_for(world.participant).get("/competence/")
    assert response.status_code == 200
    (row,) = response.context["mine"]
    assert row["administration"] == quiz.pre
    assert row["open"]
    assert response.context["programmes"] == []
    organiser = client_for(world.organiser).get("/competence/")
    assert [p.pk for p in organiser.context["programmes"]] == [world.programme.pk]


def test_the_admin_site_shows_attempts_read_only(world, scored):
    client = client_for(world.admin)
    assert client.get("/admin/competence/attempt/").status_code == 200
    assert client.get("/admin/competence/attempt/add/").status_code == 403
    assert client.get("/admin/competence/framework/").status_code == 200
