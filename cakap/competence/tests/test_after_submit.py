"""After a submit nothing changes an attempt: a save is refused with a clear message, a
second submit answers with the first and stores none of the answers it carried."""

from cakap.competence.models import Answer, Attempt, CompetenceScore
from cakap.competence.tests.helpers import right_answer, take, wrong_answer
from conftest import client_for, in_english

API = "/api/v1/competence"


def _form(items, answers):
    data = {"shown": [str(i.pk) for i in items]}
    for item in items:
        data[f"item-{item.pk}"] = [str(v) for v in answers[item.pk]]
    return data


def _stored(attempt):
    return dict(Answer.objects.filter(attempt=attempt).values_list("item_id", "value"))


def test_a_save_after_submit_is_refused_and_stores_nothing(world, quiz):
    attempt = take(world.participant, quiz.pre, {i.pk: right_answer(i) for i in quiz.items})
    before = _stored(attempt)
    wrong = _form(quiz.items, {i.pk: wrong_answer(i) for i in quiz.items})
    tab = in_english(client_for(world.participant))
    htmx = tab.post(f"/competence/take/{quiz.pre.pk}/save/", wrong, HTTP_HX_REQUEST="true")
    plain = tab.post(f"/competence/take/{quiz.pre.pk}/", wrong, follow=True)
    api = client_for(world.participant).put(
        f"{API}/administrations/{quiz.pre.pk}/answers",
        {"answers": {str(i.pk): wrong_answer(i) for i in quiz.items}},
        content_type="application/json",
    )
    assert htmx.context["ok"] is False
    assert "answers are final" in htmx.content.decode()
    assert "competence/take_done.html" in [t.name for t in plain.templates]
    assert api.status_code == 409
    assert api.json()["code"] == "already_submitted"
    assert _stored(attempt) == before
    assert set(CompetenceScore.objects.values_list("percent", flat=True)) == {100}


def test_a_second_submit_with_other_answers_keeps_the_first_and_says_so(world, quiz):
    attempt = take(world.participant, quiz.pre, {i.pk: right_answer(i) for i in quiz.items})
    before = _stored(attempt)
    submitted_at = Attempt.objects.get(pk=attempt.pk).submitted_at
    tab = in_english(client_for(world.participant))
    second = tab.post(
        f"/competence/take/{quiz.pre.pk}/submit/",
        _form(quiz.items, {i.pk: wrong_answer(i) for i in quiz.items}),
        follow=True,
    )
    assert second.status_code == 200
    assert "The first submission counts" in second.content.decode()
    again = client_for(world.participant).post(f"{API}/administrations/{quiz.pre.pk}/submit")
    assert again.status_code == 200
    assert {s["percent"] for s in again.json()["scores"]} == {"100.0"}
    assert _stored(attempt) == before
    assert Attempt.objects.get(pk=attempt.pk).submitted_at == submitted_at
    assert CompetenceScore.objects.filter(attempt=attempt).count() == 4
