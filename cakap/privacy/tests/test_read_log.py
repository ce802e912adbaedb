"""Reads of personal data are logged where they happen (profiles, records, documents,
recap, results and link files), with one insert, only when the read was allowed; the
administrators browse the log, filtered and paged, and nobody else sees it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cakap.attendance.models import AttendanceRecord
from cakap.people.models import DataRead
from cakap.privacy.tests.support import give_data, give_results
from conftest import client_for

LOG = reverse("privacy:read-log")
Kind = DataRead.Kind


def _person(user):
    return user.person


def test_opening_a_profile_is_logged_with_whose_and_by_whom(world):
    person = _person(world.participant)
    response = client_for(world.organiser).get(reverse("people:person-detail", args=[person.pk]))
    assert response.status_code == 200
    read = DataRead.objects.get()
    assert (read.reader, read.person, read.kind, read.scope) == (
        world.organiser,
        person,
        Kind.PROFILE,
        DataRead.Scope.PERSON,
    )
    assert timezone.now() - read.at < datetime.timedelta(minutes=1)


def test_the_api_profile_and_records_reads_are_logged(world):
    person = _person(world.participant)
    client = client_for(world.coach)
    assert client.get(f"/api/v1/people/{person.pk}").status_code == 200
    assert client.get(f"/api/v1/attendance/people/{person.pk}/records").status_code == 200
    assert list(DataRead.objects.order_by("pk").values_list("kind", "person", "reader")) == [
        (Kind.PROFILE_API, person.pk, world.coach.pk),
        (Kind.RECORDS_API, person.pk, world.coach.pk),
    ]


def test_reading_ones_own_profile_is_not_a_read_of_someone_elses_data(world):
    person = _person(world.participant)
    client = client_for(world.participant)
    assert client.get(reverse("people:person-detail", args=[person.pk])).status_code == 200
    assert client.get(f"/api/v1/people/{person.pk}").status_code == 200
    assert not DataRead.objects.exists()


def test_a_refused_read_logs_nothing(world):
    person = _person(world.other_participant)  # not the participant's, nor their coach's
    assert (
        client_for(world.participant)
        .get(reverse("people:person-detail", args=[person.pk]))
        .status_code
        == 404
    )
    assert client_for(world.leader_other).get(f"/api/v1/people/{person.pk}").status_code == 404
    url = reverse("attendance:recap-group-export", args=[world.group_b.pk, "csv"])
    assert client_for(world.coach).get(url).status_code == 404
    assert not DataRead.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_downloading_a_recap_is_logged_with_its_scope(world, fmt):
    client = client_for(world.organiser)
    group = reverse("attendance:recap-group-export", args=[world.group_a.pk, fmt])
    programme = reverse("attendance:recap-programme-export", args=[world.programme.pk, fmt])
    assert client.get(group).status_code == 200
    assert client.get(programme).status_code == 200
    assert list(
        DataRead.objects.order_by("pk").values_list(
            "kind", "scope", "scope_id", "scope_label", "detail"
        )
    ) == [
        (Kind.RECAP_FILE, "group", world.group_a.pk, "Coaching Clinic — A", fmt),
        (Kind.RECAP_FILE, "programme", world.programme.pk, "Coaching Clinic", fmt),
    ]
    # The recap page itself (no file) is not a download.
    client.get(reverse("attendance:recap-group", args=[world.group_a.pk]))
    assert DataRead.objects.count() == 2


def test_downloading_results_and_reading_them_through_the_api_are_logged(world, literacy):
    quiz = give_results(world, literacy)
    client = client_for(world.organiser)
    export = reverse("competence:results-export", args=[quiz.instrument.pk])
    assert client.get(export).status_code == 200
    assert (
        client.get(f"/api/v1/competence/instruments/{quiz.instrument.pk}/results").status_code
        == 200
    )
    person = _person(world.participant)
    profile = reverse("competence:profile", args=[quiz.instrument.pk, person.pk])
    assert client.get(profile).status_code == 200
    assert list(
        DataRead.objects.order_by("pk").values_list("kind", "scope", "scope_id", "person")
    ) == [
        (Kind.RESULTS_FILE, "programme", world.programme.pk, None),
        (Kind.RESULTS_API, "programme", world.programme.pk, None),
        (Kind.COMPETENCE_PROFILE, "person", person.pk, person.pk),
    ]


def test_downloading_someones_document_and_printing_links_are_logged(world):
    mine = give_data(world, world.participant, world.session_a, "DOC")
    AttendanceRecord.objects.filter(pk=mine.record.pk).update(document="attendance/x.pdf")
    organiser = client_for(world.organiser)
    organiser.get(reverse("attendance:absence-document", args=[mine.absence.pk]))
    assert (
        organiser.get(reverse("attendance:links-print", args=[world.programme.pk])).status_code
        == 200
    )
    kinds = list(DataRead.objects.order_by("pk").values_list("kind", "person", "scope"))
    assert kinds == [
        (Kind.DOCUMENT, mine.person.pk, "session"),
        (Kind.LINKS_PRINT, None, "programme"),
    ]
    # One's own document is one's own.
    client_for(world.participant).get(
        reverse("attendance:absence-document", args=[mine.absence.pk])
    )
    assert DataRead.objects.count() == 2


def test_a_read_is_logged_with_one_insert_into_the_log(world, django_assert_num_queries):
    person = _person(world.participant)
    client = client_for(world.organiser)
    url = f"/api/v1/people/{person.pk}"
    client.get(url)  # warm the session
    DataRead.objects.all().delete()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    inserts = [q["sql"] for q in ctx.captured_queries if "people_dataread" in q["sql"]]
    assert len(inserts) == 1 and inserts[0].lstrip().upper().startswith("INSERT")


# --- The administrators' page ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["organiser", "coach", "participant", "leader", "leader_other"])
def test_only_administrators_see_the_read_log(world, persona):
    assert client_for(getattr(world, persona)).get(LOG).status_code == 404


def test_anonymous_is_sent_to_log_in(world):
    response = client_for(None).get(LOG)
    assert response.status_code == 302 and reverse("people:login") in response["Location"]


def _reads(world, n):
    person = _person(world.participant)
    other = _person(world.other_participant)
    now = timezone.now()
    DataRead.objects.bulk_create(
        DataRead(
            at=now - datetime.timedelta(hours=i),
            reader=world.organiser if i % 2 else world.coach,
            person=person if i % 2 else other,
            kind=Kind.PROFILE if i % 2 else Kind.RECAP_FILE,
            scope="person" if i % 2 else "group",
            scope_id=person.pk if i % 2 else world.group_b.pk,
            scope_label="" if i % 2 else "Coaching Clinic — B",
        )
        for i in range(n)
    )


def test_the_log_filters_by_reader_person_kind_scope_and_dates(world):
    _reads(world, 10)
    client = client_for(world.admin)
    page = client.get(LOG).content.decode()
    assert page.count("<tr>") == 11  # head and ten rows
    by_reader = client.get(LOG, {"reader": "coach@"}).content.decode()
    assert by_reader.count("<tr>") == 6
    by_person = client.get(LOG, {"person": "196803032000121003"}).content.decode()
    assert by_person.count("<tr>") == 6 and "Participant" in by_person
    by_kind = client.get(LOG, {"kind": Kind.RECAP_FILE}).content.decode()
    assert by_kind.count("<tr>") == 6 and "Coaching Clinic — B" in by_kind
    today = timezone.localdate().isoformat()
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    assert client.get(LOG, {"since": future}).content.decode().count("<tr>") == 2  # "no reads"
    assert client.get(LOG, {"until": today, "scope": "group"}).content.decode().count("<tr>") >= 2


def test_a_bad_filter_is_named_and_the_page_still_answers(world):
    _reads(world, 3)
    response = client_for(world.admin).get(LOG, {"since": "2026-13-40", "kind": "nonsense"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Masukkan tanggal yang valid" in page
    response = client_for(world.admin).get(LOG, {"since": "2026-12-05", "until": "2026-12-01"})
    assert "lebih awal daripada tanggal mulai" in response.content.decode()


def test_the_log_pages_in_fifty_and_costs_the_same_queries_per_page(
    world, django_assert_num_queries
):
    _reads(world, 60)
    client = client_for(world.admin)
    client.get(LOG)
    with CaptureQueriesContext(connection) as first:
        page = client.get(LOG).content.decode()
    assert page.count("<tr>") == 51
    with django_assert_num_queries(len(first.captured_queries)):
        second = client.get(LOG, {"page": 2}).content.decode()
    assert second.count("<tr>") == 11


def test_a_participant_reading_their_own_results_is_not_logged(world, literacy):
    quiz = give_results(world, literacy)
    url = f"/api/v1/competence/instruments/{quiz.instrument.pk}/results"
    assert client_for(world.participant).get(url).status_code == 200
    assert not DataRead.objects.exists()
