"""Simultaneous enrolments of one person leave one active enrolment (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from cakap.people.models import Person
from cakap.programmes import services
from cakap.programmes.models import Enrolment, Group

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_simultaneous_enrolments_make_one_active_enrolment(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    person = Person.objects.create(nip="198001012005011001", name="Rina", unit=world.dinkes)
    targets = [world.group_a.pk] * 3 + [world.group_b.pk] * 3
    barrier = threading.Barrier(len(targets))
    enrolled, refused, errors = [], [], []

    def attempt(group_pk):
        try:
            group = Group.objects.select_related("programme").get(pk=group_pk)
            barrier.wait()
            enrolled.append(services.enrol_participant(group, person, acting_user=world.organiser))
        except services.EnrolmentError as error:
            refused.append(error.code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(pk,)) for pk in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    active = Enrolment.objects.filter(person=person, status="active")
    assert active.count() == 1
    winner = active.get()
    assert {e.pk for e in enrolled} == {winner.pk}
    assert len(enrolled) == 3
    assert refused == ["already_enrolled"] * 3
