"""The competence API: reads scoped like the pages, taking an assessment end to end."""

import datetime

import pytest
import time_machine

from cakap.competence.models import Attempt
from cakap.competence.tests.helpers import right_answer
from conftest import client_for

API = "/api/v1/competence"


def _ids(response):
    return sorted(row["person_id"] for row in response.json()["items"])


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("organiser", {"participant", "other_participant"}),
        ("coach", {"participant"}),
        ("participant", {"participant"}),
        ("other_participant", {"other_participant"}),
        ("leader", {"participant"}),
        ("leader_other", set()),
        ("admin", {"participant", "other_participant"}),
    ],
)
def test_submissions_are_scoped(world, scored, persona, sees):
    response = client_for(getattr(world, persona)).get(f"{API}/submissions")
    assert response.status_code == 200
    expected = sorted(getattr(world, p).person.pk for p in sees)
    assert _ids(response) == expected
    mine = Attempt.objects.get(person__user=world.participant)
    detail = client_for(getattr(world, persona)).get(f"{API}/submissions/{mine.pk}")
    assert detail.status_code == (200 if "participant" in sees else 404)


def test_a_participant_gets_only_their_own_results(world, scored):
    response = client_for(world.participant).get(
        f"{API}/instruments/{scored.instrument.pk}/results"
    )
    rows = response.json()
    assert {r["person_id"] for r in rows} == {world.participant.person.pk}
    assert {r["pre"] for r in rows} == {"100.0"}
    assert {r["normalised_gain"] for r in rows} == {None}


def test_right_answers_are_shown_only_to_staff(world, quiz):
    as_participant = client_for(world.participant).get(f"{API}/instruments/{quiz.instrument.pk}")
    as_coach = client_for(world.coach).get(f"{API}/instruments/{quiz.instrument.pk}")
    assert {i["correct"] is None for i in as_participant.json()["items"]} == {True}
    assert None not in {tuple(i["correct"]) for i in as_coach.json()["items"]}
    assert (
        client_for(world.leader_other).get(f"{API}/instruments/{quiz.instrument.pk}").status_code
        == 404
    )


def test_frameworks_list_the_shipped_ones(world, shipped):
    response = client_for(world.participant).get(f"{API}/frameworks")
    codes = {f["code"] for f in response.json()["items"]}
    assert {"digcomp-2-2", "literasi-digital-4-pilar"} <= codes
    digcomp = next(f for f in response.json()["items"] if f["code"] == "digcomp-2-2")
    assert sum(len(a["competences"]) for a in digcomp["areas"]) == 21


def test_taking_through_the_api(world, quiz):
    client = client_for(world.participant)
    started = client.post(f"{API}/administrations/{quiz.pre.pk}/submission")
    assert started.status_code == 201
    assert client.post(f"{API}/administrations/{quiz.pre.pk}/submission").status_code == 200
    answers = {str(i.pk): right_answer(i) for i in quiz.items}
    saved = client.put(
        f"{API}/administrations/{quiz.pre.pk}/answers",
        {"answers": answers},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert len(saved.json()["answers"]) == 8
    first = client.post(f"{API}/administrations/{quiz.pre.pk}/submit").json()
    second = client.post(f"{API}/administrations/{quiz.pre.pk}/submit").json()
    assert first["submitted_at"] == second["submitted_at"] is not None
    assert {s["percent"] for s in second["scores"]} == {"100.0"}
    assert len(second["scores"]) == 4


def test_the_api_refuses_after_closing_time(world, quiz):
    client = client_for(world.participant)
    client.post(f"{API}/administrations/{quiz.pre.pk}/submission")
    with time_machine.travel(quiz.pre.closes_at + datetime.timedelta(seconds=1), tick=False):
        response = client.put(
            f"{API}/administrations/{quiz.pre.pk}/answers",
            {"answers": {str(quiz.items[0].pk): [0]}},
            content_type="application/json",
        )
    assert response.status_code == 409
    assert response.json()["code"] == "closed"


def test_a_bad_answer_is_refused_with_a_code(world, quiz):
    client = client_for(world.participant)
    client.post(f"{API}/administrations/{quiz.pre.pk}/submission")
    response = client.put(
        f"{API}/administrations/{quiz.pre.pk}/answers",
        {"answers": {str(quiz.items[0].pk): [9]}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"


def test_anonymous_gets_401(world, quiz):
    assert client_for(None).get(f"{API}/submissions").status_code == 401


def _post(client, url, data, method="post"):
    return getattr(client, method)(url, data, content_type="application/json")


def test_an_organiser_builds_and_schedules_a_test_through_the_api(world, literacy):
    client = client_for(world.organiser)
    chosen = _post(
        client,
        f"{API}/programmes/{world.programme.pk}/framework",
        {"framework_id": literacy.pk},
        method="put",
    )
    assert chosen.status_code == 200
    created = _post(
        client,
        f"{API}/programmes/{world.programme.pk}/instruments",
        {"kind": "knowledge", "title": "Kuis", "time_limit_minutes": 15},
    )
    assert created.status_code == 201
    instrument = created.json()["id"]
    bad = _post(
        client,
        f"{API}/instruments/{instrument}/items",
        {
            "items": [
                {"competence": "CD", "kind": "true_false", "text": "ok", "correct": [0]},
                {
                    "competence": "ZZ",
                    "kind": "single",
                    "text": "?",
                    "options": ["a"],
                    "correct": [3],
                },
            ]
        },
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"items.1.competence", "items.1.options"} <= fields
    good = _post(
        client,
        f"{API}/instruments/{instrument}/items",
        {"items": [{"competence": "CD", "kind": "true_false", "text": "ok", "correct": [0]}]},
    )
    assert good.status_code == 201
    assert len(good.json()["items"]) == 1
    scheduled = _post(
        client,
        f"{API}/instruments/{instrument}/administrations",
        {
            "phase": "pre",
            "opens_at": "2026-12-01T08:00:00+07:00",
            "closes_at": "2026-12-01T10:00:00+07:00",
        },
    )
    assert scheduled.status_code == 201
    assert scheduled.json()["opens_at"] == "2026-12-01T08:00:00+07:00"


def test_the_api_names_every_problem_of_a_framework(world):
    response = _post(
        client_for(world.organiser),
        f"{API}/frameworks",
        {
            "code": "bad code!",
            "name": {"en": "X"},
            "levels": [{"number": 1, "name": "one"}],
            "areas": [{"code": "A", "name": "A", "competences": [{"code": "", "name": "c"}]}],
        },
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"framework.code", "levels.levels", "areas.0.competences.0.code"} <= fields


@pytest.mark.parametrize("persona", ["coach", "participant", "leader"])
def test_only_organisers_write_through_the_api(world, literacy, persona):
    client = client_for(getattr(world, persona))
    response = _post(
        client,
        f"{API}/programmes/{world.programme.pk}/framework",
        {"framework_id": literacy.pk},
        method="put",
    )
    assert response.status_code == 403
    assert (
        _post(
            client, f"{API}/frameworks", {"code": "x", "name": "x", "levels": [], "areas": []}
        ).status_code
        == 403
    )
