"""A person downloads everything Cakap holds about them, at once: from every app, with
its processing history, and nothing of another person."""

import datetime
import io
import json
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cakap.attendance.links import link_token
from cakap.attendance.models import AttendanceRecord, Method, Status
from cakap.attendance.services import apply_status
from cakap.people import reads
from cakap.people.models import DataRead
from cakap.privacy.queries import parts
from cakap.privacy.tests.support import give_data, give_results
from cakap.programmes.models import Session
from conftest import client_for, in_english

URL = reverse("privacy:my-data-export")


def _download(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data.html", "data.json"]
    return json.loads(archive.read("data.json")), archive.read("data.html").decode()


@pytest.fixture
def both(world, literacy):
    mine = give_data(world, world.participant, world.session_a, "MINE")
    theirs = give_data(world, world.other_participant, world.session_b, "THEIRS")
    give_results(world, literacy)
    return mine, theirs


def test_export_holds_the_persons_data_from_every_app(world, both):
    mine, _theirs = both
    data, page = _download(client_for(world.participant))
    sections = data["sections"]
    assert set(sections) == {config.label for config, _module in parts()}
    assert {"people", "programmes", "attendance", "competence"} <= set(sections)
    person = sections["people"]["person"][0]
    assert person["nip"] == "196803032000121003"  # text, as stored
    assert person["position"] == "Kepala MINE"
    assert sections["people"]["login"][0]["email"] == "participant@example.test"
    assert sections["people"]["api_tokens"][0]["name"] == "token MINE"
    assert sections["programmes"]["enrolments"][0]["group"] == "A"
    record = sections["attendance"]["attendance_records"][0]
    assert record["status"] and record["reason"] == "demam MINE"
    assert record["device_id"] == "phone-MINE"
    assert record["latitude"] == "-1.234567"
    assert len(sections["attendance"]["attendance_changes"]) == 2
    assert sections["attendance"]["refused_check_ins"][0]["device_id"] == "phone-MINE"
    assert sections["attendance"]["absence_requests"][0]["reason"] == "rapat MINE"
    assert sections["attendance"]["personal_links"][0]["programme"] == "Coaching Clinic"
    assert sections["competence"]["assessments"][0]["submitted_at"]
    assert sections["competence"]["answers"]
    assert sections["competence"]["results"]
    actions = {e["action"] for e in data["processing"]["audit_entries"]}
    assert {"person.update", "absence.requested", "personal_link.issue"} <= actions
    assert data["processing"]["own_actions"]
    # The readable page shows the same, in Indonesian by default.
    assert "Kepala MINE" in page and "demam MINE" in page
    assert "Data saya di Cakap" in page


def test_export_holds_nothing_of_another_person(world, both):
    _mine, theirs = both
    data, page = _download(client_for(world.participant))
    text = json.dumps(data, ensure_ascii=False) + page
    for secret in ("THEIRS", theirs.person.nip, theirs.person.name, "other@example.test"):
        assert secret not in text
    # A coach's name is part of one's own record (who set the status); fine.
    assert "Coach" in text
    # Secrets of one's own are never in it either: token keys, link tokens, feed token.
    assert theirs.token.key_hash not in text
    assert world.participant.feed_token not in text
    assert mine_link_secret(both) not in text


def mine_link_secret(both) -> str:
    return link_token(both[0].link)


def test_export_is_the_signed_in_persons_own_whatever_the_address_says(world, both):
    data, _page = _download(client_for(world.other_participant))
    assert data["sections"]["people"]["person"][0]["nip"] == "197204042001022004"
    # No parameter names the person: a query string changes nothing.
    response = client_for(world.other_participant).get(URL + f"?person={both[0].person.pk}")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "MINE" not in archive.read("data.json").decode()


def test_anonymous_is_sent_to_log_in_and_a_login_without_a_person_gets_404(world):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and reverse("people:login") in response["Location"]
    assert client_for(world.leader_other).get(URL).status_code == 404
    page = client_for(world.leader_other).get(reverse("privacy:my-data"))
    assert page.status_code == 200
    assert reverse("privacy:my-data-export") not in page.content.decode()


def test_export_shows_who_read_the_persons_data(world, both):
    client_for(world.organiser).get(reverse("people:person-detail", args=[both[0].person.pk]))
    client_for(world.organiser).get(
        reverse("attendance:recap-group-export", args=[world.group_a.pk, "xlsx"])
    )
    client_for(world.organiser).get(
        reverse("attendance:recap-group-export", args=[world.group_b.pk, "csv"])
    )
    data, page = _download(client_for(world.participant))
    seen = [(r["reader"], r["what"], r["scope"], r["detail"]) for r in data["processing"]["reads"]]
    assert ("Organiser", "Halaman profil", "Pegawai", "") in seen
    assert ("Organiser", "Berkas rekap kehadiran", "Coaching Clinic — A", "xlsx") in seen
    assert all(scope != "Coaching Clinic — B" for _r, _w, scope, _d in seen)  # not another's
    assert "Coaching Clinic — A" in page
    # The download itself is logged, and shows in the next one.
    assert DataRead.objects.filter(kind=reads.Kind.OWN_EXPORT, reader=world.participant).count()
    data, _page = _download(client_for(world.participant))
    assert "Unduhan data sendiri" in [r["what"] for r in data["processing"]["reads"]]


def test_export_costs_the_same_queries_however_many_records(world, both, django_assert_num_queries):
    client = client_for(world.participant)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for day in range(3, 8):
        session = Session.objects.create(
            group=world.group_a,
            starts_at=world.session_a.starts_at + datetime.timedelta(days=day),
            ends_at=world.session_a.ends_at + datetime.timedelta(days=day),
        )
        apply_status(session, both[0].person, Status.ALPA, Method.MANUAL, acting_user=None)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200
    assert len(few.captured_queries) <= 40


def test_readable_page_follows_the_chosen_language(world, both):
    response = in_english(client_for(world.participant)).get(URL)
    page = zipfile.ZipFile(io.BytesIO(response.content)).read("data.html").decode()
    assert "My data in Cakap" in page and "Attendance records" in page


def test_text_stays_text_in_both_files(world, both):
    AttendanceRecord.objects.filter(pk=both[0].record.pk).update(
        reason='=HYPERLINK("http://x") <script>alert(1)</script>\x07'
    )
    data, page = _download(client_for(world.participant))
    reasons = [r["reason"] for r in data["sections"]["attendance"]["attendance_records"]]
    assert '=HYPERLINK("http://x") <script>alert(1)</script>\x07' in reasons
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
