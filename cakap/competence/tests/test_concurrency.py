"""Simultaneous starts and submits of one person count once (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from cakap.competence import services
from cakap.competence.models import Attempt, CompetenceScore
from cakap.competence.tests.helpers import right_answer
from cakap.core.models import AuditEntry

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
    started, errors = _at_once(4, lambda: services.start_attempt(world.participant, quiz.pre).pk)
    assert errors == []
    assert len(set(started)) == 1
    attempt = Attempt.objects.get(pk=started[0])
    services.save_answers(world.participant, attempt, {i.pk: right_answer(i) for i in quiz.items})

    def submit():
        return services.submit_attempt(
            world.participant,
            Attempt.objects.select_related("administration__instrument").get(pk=attempt.pk),
        ).submitted_at

    submitted, errors = _at_once(4, submit)
    assert errors == []
    assert len(set(submitted)) == 1
    assert CompetenceScore.objects.filter(attempt=attempt).count() == 4
    assert AuditEntry.objects.filter(action="competence.attempt_submitted").count() == 1
