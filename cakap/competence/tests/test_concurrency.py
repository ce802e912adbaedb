"""Simultaneous starts and submits of one person count once (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from cakap.competence import services
from cakap.competence.models import Answer, Attempt, CompetenceScore, Item
from cakap.competence.tests.helpers import make_quiz, right_answer, wrong_answer
from cakap.core.models import AuditEntry
from conftest import client_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(n, work):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_simultaneous_starts_and_submits_count_once(world, quiz):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    started, errors = _at_once(
        4, lambda: services.start_attempt(quiz.pre, acting_user=world.participant).pk
    )
    assert errors == []
    assert len(set(started)) == 1
    attempt = Attempt.objects.get(pk=started[0])
    services.save_answers(
        attempt, {i.pk: right_answer(i) for i in quiz.items}, acting_user=world.participant
    )

    def submit():
        return services.submit_attempt(
            Attempt.objects.select_related("administration__instrument").get(pk=attempt.pk),
            acting_user=world.participant,
        ).submitted_at

    submitted, errors = _at_once(4, submit)
    assert errors == []
    assert len(set(submitted)) == 1
    assert CompetenceScore.objects.filter(attempt=attempt).count() == 4
    assert AuditEntry.objects.filter(action="competence.attempt_submitted").count() == 1


def _stored_score(attempt):
    """The attempt's scores as its stored answers give them, beside the stored scores."""
    attempt = Attempt.objects.select_related("administration__instrument").get(pk=attempt.pk)
    items = list(Item.objects.filter(instrument_id=attempt.administration.instrument_id))
    answers = dict(Answer.objects.filter(attempt=attempt).values_list("item_id", "value"))
    expected = {s.competence_id: s.percent for s in services.score_rows(attempt, items, answers)}
    stored = dict(
        CompetenceScore.objects.filter(attempt=attempt).values_list("competence_id", "percent")
    )
    return expected, stored


def _form(items, answers):
    data = {"shown": [str(i.pk) for i in items]}
    for item in items:
        data[f"item-{item.pk}"] = [str(v) for v in answers[item.pk]]
    return data


def _race_four_tabs(world, literacy):
    """Two tabs submit different answers while two others save different answers."""
    quiz = make_quiz(world, literacy)
    url = f"/competence/take/{quiz.pre.pk}/"
    services.start_attempt(quiz.pre, acting_user=world.participant)
    right = _form(quiz.items, {i.pk: right_answer(i) for i in quiz.items})
    wrong = _form(quiz.items, {i.pk: wrong_answer(i) for i in quiz.items})
    jobs = [("submit/", right), ("submit/", wrong), ("save/", wrong), ("save/", right)]
    lock = threading.Lock()

    def one():
        with lock:
            path, form = jobs.pop()
        return client_for(world.participant).post(url + path, form).status_code

    statuses, errors = _at_once(len(jobs), one)
    assert errors == []
    assert all(s in (200, 302) for s in statuses)
    return Attempt.objects.get(administration=quiz.pre)


def test_two_tabs_submitting_at_once_leave_answers_that_agree_with_the_score(world, literacy):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    for _trial in range(4):
        attempt = _race_four_tabs(world, literacy)
        assert attempt.submitted_at is not None
        expected, stored = _stored_score(attempt)
        assert expected == stored
        assert set(stored.values()) in ({Decimal(100)}, {Decimal(0)})
