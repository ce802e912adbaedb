"""Opening a test shows what starting means and changes nothing; pressing Start (a
POST) starts the attempt and its timer; opening it again resumes it."""

import datetime

import pytest
import time_machine

from cakap.competence.models import Attempt
from cakap.competence.tests.helpers import make_quiz
from cakap.core.models import AuditEntry
from cakap.core.tests.dbstate import database_state
from conftest import client_for, in_english


def test_opening_a_timed_test_says_the_limit_and_changes_nothing(world, literacy):
    quiz = make_quiz(world, literacy, time_limit=20)
    client = in_english(client_for(world.participant))
    before = database_state()
    page = client.get(f"/competence/take/{quiz.pre.pk}/")
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "competence/take_start.html"
    text = page.content.decode()
    assert "8 questions." in text
    assert "Time limit: 20 minutes." in text
    assert "The timer starts when you press Start" in text
    assert database_state() == before
    assert not Attempt.objects.exists()


def test_pressing_start_starts_the_timer_and_a_reload_resumes(world, literacy):
    quiz = make_quiz(world, literacy, time_limit=20)
    client = client_for(world.participant)
    with time_machine.travel(quiz.pre.opens_at + datetime.timedelta(minutes=10), tick=False):
        client.get(f"/competence/take/{quiz.pre.pk}/")
    with time_machine.travel(quiz.pre.opens_at + datetime.timedelta(minutes=30), tick=False):
        started = client.post(f"/competence/take/{quiz.pre.pk}/start/")
        assert started.status_code == 302
        attempt = Attempt.objects.get()
        assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=20)
        before = database_state()
        again = client.get(f"/competence/take/{quiz.pre.pk}/")
        assert [t.name for t in again.templates][0] == "competence/take.html"
        assert len(again.context["questions"]) == 8
        assert database_state() == before
        assert client.post(f"/competence/take/{quiz.pre.pk}/start/").status_code == 302
    assert Attempt.objects.get() == attempt
    assert AuditEntry.objects.filter(action="competence.attempt_started").count() == 1


def test_a_plain_save_before_start_starts_nothing(world, quiz):
    item = quiz.items[0]
    response = client_for(world.participant).post(
        f"/competence/take/{quiz.pre.pk}/", {"shown": [item.pk], f"item-{item.pk}": ["0"]}
    )
    assert response.status_code == 302
    assert not Attempt.objects.exists()


def test_start_is_refused_before_opening_and_after_closing(world, quiz):
    client = client_for(world.participant)
    url = f"/competence/take/{quiz.pre.pk}/start/"
    with time_machine.travel(quiz.pre.opens_at - datetime.timedelta(minutes=1), tick=False):
        early = client.post(url)
    with time_machine.travel(quiz.pre.closes_at + datetime.timedelta(minutes=1), tick=False):
        late = client.post(url)
    assert early.status_code == late.status_code == 409
    assert (early.context["code"], late.context["code"]) == ("not_open", "closed")
    assert not Attempt.objects.exists()


def test_start_needs_a_post(world, quiz):
    response = client_for(world.participant).get(f"/competence/take/{quiz.pre.pk}/start/")
    assert response.status_code == 405
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("persona", ["coach", "organiser", "leader", "leader_other"])
def test_only_participants_start_it(world, quiz, persona):
    response = client_for(getattr(world, persona)).post(f"/competence/take/{quiz.pre.pk}/start/")
    assert response.status_code in (403, 404)
    assert not Attempt.objects.exists()
