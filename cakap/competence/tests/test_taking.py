"""Taking an assessment: saved as you go, resumed after a lost page, submitted once,
refused after closing time; and the coach's observation checklist."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cakap.competence import services
from cakap.competence.models import Answer, Attempt, CompetenceScore, Instrument
from cakap.competence.tests.helpers import make_quiz, right_answer, wrong_answer
from cakap.core.models import AuditEntry
from conftest import client_for


def _form(items, answers):
    data = {"shown": [str(i.pk) for i in items]}
    for item in items:
        if item.pk in answers:
            data[f"item-{item.pk}"] = [str(v) for v in answers[item.pk]]
    return data


def test_answers_are_saved_as_they_are_given_and_come_back_in_a_new_tab(world, quiz):
    first, second, *rest = quiz.items
    tab = client_for(world.participant)
    assert tab.post(f"/competence/take/{quiz.pre.pk}/start/").status_code == 302
    assert tab.get(f"/competence/take/{quiz.pre.pk}/").status_code == 200
    response = tab.post(
        f"/competence/take/{quiz.pre.pk}/save/",
        _form([first], {first.pk: right_answer(first)}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    tab.post(
        f"/competence/take/{quiz.pre.pk}/save/",
        _form([second], {second.pk: wrong_answer(second)}),
        HTTP_HX_REQUEST="true",
    )
    attempt = Attempt.objects.get(administration=quiz.pre, person__user=world.participant)
    assert dict(Answer.objects.filter(attempt=attempt).values_list("item_id", "value")) == {
        first.pk: right_answer(first),
        second.pk: wrong_answer(second),
    }

    # The tab is closed; a new session on another device opens the assessment again.
    again = client_for(world.participant).get(f"/competence/take/{quiz.pre.pk}/")
    assert again.status_code == 200
    assert Attempt.objects.filter(administration=quiz.pre).count() == 1
    questions = {q["item"].pk: q for q in again.context["questions"]}
    chosen = [v for v, _label, checked in questions[first.pk]["choices"] if checked]
    assert chosen == right_answer(first)
    assert again.context["answered"] == 2

    done = client_for(world.participant).post(
        f"/competence/take/{quiz.pre.pk}/submit/",
        _form(rest, {i.pk: right_answer(i) for i in rest}),
    )
    assert done.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    scores = {s.competence.code: s.percent for s in CompetenceScore.objects.filter(attempt=attempt)}
    assert scores["CD"] == 50  # one of two right
    assert scores["ED"] == scores["AD"] == scores["BD"] == 100


def test_clearing_a_multiple_choice_answer_removes_it(world, quiz):
    multiple = next(i for i in quiz.items if i.kind == "multiple")
    client = client_for(world.participant)
    client.post(f"/competence/take/{quiz.pre.pk}/start/")
    url = f"/competence/take/{quiz.pre.pk}/save/"
    client.post(url, _form([multiple], {multiple.pk: [0, 2]}))
    client.post(url, _form([multiple], {}))
    assert not Answer.objects.filter(item=multiple).exists()


def test_submitting_twice_counts_once(world, quiz):
    client = client_for(world.participant)
    client.post(f"/competence/take/{quiz.pre.pk}/start/")
    form = _form(quiz.items, {i.pk: right_answer(i) for i in quiz.items})
    client.post(f"/competence/take/{quiz.pre.pk}/submit/", form)
    attempt = Attempt.objects.get(administration=quiz.pre)
    first_submitted = attempt.submitted_at
    second = client.post(
        f"/competence/take/{quiz.pre.pk}/submit/",
        _form(quiz.items, {i.pk: wrong_answer(i) for i in quiz.items}),
    )
    assert second.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at == first_submitted
    assert CompetenceScore.objects.filter(attempt=attempt).count() == 4
    assert set(CompetenceScore.objects.values_list("percent", flat=True)) == {100}
    assert AuditEntry.objects.filter(action="competence.attempt_submitted").count() == 1
    assert client.get(f"/competence/take/{quiz.pre.pk}/").context["attempt"] == attempt


def test_after_closing_time_the_answer_is_a_clear_refusal(world, quiz):
    client = client_for(world.participant)
    client.post(f"/competence/take/{quiz.pre.pk}/start/")
    later = quiz.pre.closes_at + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        page = client.get(f"/competence/take/{quiz.pre.pk}/")
        save = client.post(
            f"/competence/take/{quiz.pre.pk}/save/",
            _form(quiz.items[:1], {quiz.items[0].pk: right_answer(quiz.items[0])}),
        )
        submit = client.post(f"/competence/take/{quiz.pre.pk}/submit/", {})
        late = client_for(world.other_participant).get(f"/competence/take/{quiz.pre.pk}/")
    assert page.status_code == 409
    assert page.context["code"] == "closed"
    assert "closed" in page.content.decode() or "ditutup" in page.content.decode()
    assert save.context["ok"] is False
    assert submit.status_code == 409
    assert late.status_code == 409
    assert not Answer.objects.exists()
    assert not Attempt.objects.filter(submitted_at__isnull=False).exists()
    assert not Attempt.objects.filter(person__user=world.other_participant).exists()


def test_before_opening_time_it_cannot_be_started(world, quiz):
    with time_machine.travel(quiz.pre.opens_at - datetime.timedelta(minutes=5), tick=False):
        response = client_for(world.participant).get(f"/competence/take/{quiz.pre.pk}/")
    assert response.status_code == 409
    assert response.context["code"] == "not_open"
    assert not Attempt.objects.exists()


def test_when_the_time_limit_is_up_answers_stop_and_what_was_saved_counts(world, literacy):
    quiz = make_quiz(world, literacy, time_limit=20)
    first = quiz.items[0]
    client = client_for(world.participant)
    client.post(f"/competence/take/{quiz.pre.pk}/start/")
    client.post(
        f"/competence/take/{quiz.pre.pk}/save/", _form([first], {first.pk: right_answer(first)})
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=21), tick=False):
        save = client.post(
            f"/competence/take/{quiz.pre.pk}/save/",
            _form(quiz.items, {i.pk: right_answer(i) for i in quiz.items}),
        )
        assert save.context["ok"] is False
        client.post(f"/competence/take/{quiz.pre.pk}/submit/", {})
    attempt = Attempt.objects.get()
    assert attempt.submitted_at is not None
    assert Answer.objects.filter(attempt=attempt).count() == 1
    assert CompetenceScore.objects.get(attempt=attempt, competence__code="CD").percent == 50


def test_the_order_is_shuffled_per_person_and_stable(world, quiz):
    mine = services.start_attempt(quiz.pre, acting_user=world.participant)
    theirs = services.start_attempt(quiz.pre, acting_user=world.other_participant)
    order = [(i.pk, o) for i, o in services.shuffled_items(mine)]
    assert order == [(i.pk, o) for i, o in services.shuffled_items(mine)]
    other = [(i.pk, o) for i, o in services.shuffled_items(theirs)]
    assert sorted(pk for pk, _ in order) == sorted(i.pk for i in quiz.items)
    assert order != other  # 8 items: the same order for both would be a 1 in 40 320 chance


@pytest.mark.parametrize("persona", ["coach", "organiser", "leader"])
def test_only_participants_take_it(world, quiz, persona):
    response = client_for(getattr(world, persona)).get(f"/competence/take/{quiz.pre.pk}/")
    assert response.status_code in (403, 404)
    assert not Attempt.objects.exists()


def test_coach_sees_who_has_not_taken_it_yet(world, quiz):
    client_for(world.participant).post(f"/competence/take/{quiz.pre.pk}/start/")
    response = client_for(world.organiser).get(f"/competence/administrations/{quiz.pre.pk}/")
    rows = {r["person"].user: r for r in response.context["rows"]}
    assert rows[world.participant]["attempt"] is not None
    assert rows[world.other_participant]["attempt"] is None
    assert response.context["submitted"] == 0
    coach_view = client_for(world.coach).get(f"/competence/administrations/{quiz.pre.pk}/")
    assert [r["person"].user for r in coach_view.context["rows"]] == [world.participant]


@pytest.fixture
def checklist(world, literacy):
    services.set_programme_framework(world.programme, literacy, acting_user=world.organiser)
    instrument = services.create_instrument(
        world.programme,
        kind=Instrument.Kind.OBSERVATION,
        title="SRIKANDI",
        acting_user=world.organiser,
    )
    items = services.add_items(
        instrument,
        [
            services.ItemSpec("CD", "check", "Opens SRIKANDI", [], []),
            services.ItemSpec("CD", "check", "Sends a letter", [], []),
            services.ItemSpec("AD", "check", "Logs out", [], []),
        ],
        acting_user=world.organiser,
    )
    now = timezone.now()
    administration = services.create_administration(
        instrument,
        phase="post",
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=1),
        acting_user=world.organiser,
    )
    return administration, items


def test_coach_records_an_observation_once(world, checklist):
    administration, items = checklist
    person = world.participant.person
    url = f"/competence/administrations/{administration.pk}/observe/{person.pk}/"
    client = client_for(world.coach)
    assert client.get(url).status_code == 200
    client.post(url, {"done": [items[0].pk, items[2].pk]})
    attempt = Attempt.objects.get(administration=administration, person=person)
    assert attempt.observer == world.coach.person
    scores = {s.competence.code: s.percent for s in attempt.scores.all()}
    assert scores == {"CD": 50, "AD": 100}
    client.post(url, {"done": [items[1].pk]})
    assert {s.competence.code: s.percent for s in attempt.scores.all()} == scores


def test_coach_cannot_observe_another_groups_participant(world, checklist):
    administration, _items = checklist
    other = world.other_participant.person
    url = f"/competence/administrations/{administration.pk}/observe/{other.pk}/"
    assert client_for(world.coach).get(url).status_code == 404
    assert client_for(world.participant).get(url).status_code == 404
    assert client_for(world.organiser).get(url).status_code == 200


def test_saved_work_of_an_unfinished_attempt_is_scored_after_closing(world, quiz):
    first = quiz.items[0]
    client = client_for(world.participant)
    client.post(f"/competence/take/{quiz.pre.pk}/start/")
    client.post(
        f"/competence/take/{quiz.pre.pk}/save/", _form([first], {first.pk: right_answer(first)})
    )
    url = f"/competence/administrations/{quiz.pre.pk}/"
    assert client_for(world.organiser).get(url).context["can_close"] is False  # still open
    with time_machine.travel(quiz.pre.closes_at + datetime.timedelta(minutes=1), tick=False):
        assert client_for(world.organiser).get(url).context["can_close"]
        assert client_for(world.coach).post(url + "close/").status_code == 404
        client_for(world.organiser).post(url + "close/")
        assert call_command_output("close_assessments") == "0 attempt(s) closed and scored."
    attempt = Attempt.objects.get(person__user=world.participant)
    assert attempt.submitted_at is not None and attempt.closed_automatically
    assert CompetenceScore.objects.get(attempt=attempt, competence__code="CD").percent == 50
    assert CompetenceScore.objects.get(attempt=attempt, competence__code="ED").percent == 0


def call_command_output(name):
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue().strip()
