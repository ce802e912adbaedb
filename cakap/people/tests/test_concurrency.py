"""Two writers adding the same NIP at once: one person, a clear refusal (PostgreSQL)."""

import threading
from pathlib import Path

import pytest
from django.db import connection, connections

from cakap.people import roster, services
from cakap.people.models import Person
from cakap.people.services import PersonConflictError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_together(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def attempt(i):
        try:
            barrier.wait()
            results.append(work(i))
        except Exception as error:  # noqa: BLE001 - collected and asserted by the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_simultaneous_creates_of_one_nip_make_one_person(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")

    def create(i):
        return services.create_person(
            nip="199001012015031004",
            name=f"Budi {i}",
            unit=world.dinkes,
            acting_user=world.organiser,
        )

    results, errors = run_together(5, create)
    assert len(results) == 1
    assert len(errors) == 4
    assert {type(e) for e in errors} == {PersonConflictError}
    assert {e.code for e in errors} == {"duplicate_nip"}
    assert Person.objects.filter(nip="199001012015031004").count() == 1


def test_simultaneous_imports_of_one_file_write_it_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency runs on PostgreSQL")
    data = (DATA / "messy_roster.xlsx").read_bytes()
    before = Person.objects.count()

    def apply(_i):
        return roster.apply_roster(data, "messy_roster.xlsx", acting_user=world.organiser)

    results, errors = run_together(3, apply)
    assert Person.objects.count() == before + 4
    # A loser either saw the winner's rows (all unchanged) or was refused as a whole.
    assert all(r.created in (0, 4) for r in results)
    assert sum(r.created for r in results) == 4
    assert all(isinstance(e, roster.RosterFileError) for e in errors)
