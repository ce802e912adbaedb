"""Out-of-range ids, pages and dates, and control characters: 404/422, never 500."""

import json

from django.test import Client

from cakap.core.text import clean_text
from cakap.people.models import Person
from cakap.people.tokens import issue_token
from cakap.programmes.models import Enrolment, Session
from conftest import client_for, in_english

HUGE = str(2**63)


def bearer(user) -> Client:
    _token, key = issue_token(user, "test", acting_user=None)
    return Client(headers={"authorization": f"Bearer {key}"})


def test_a_scan_link_with_a_huge_session_id_is_not_found(world):
    response = client_for(world.participant).get(f"/attendance/c/{HUGE}/abc/")
    assert response.status_code == 404


def test_a_page_with_a_huge_id_is_not_found(world):
    assert client_for(world.organiser).get(f"/programmes/{HUGE}/").status_code == 404


def test_api_huge_ids_filters_and_pages_answer_422_naming_the_field(world):
    api = bearer(world.admin)
    for url, field in (
        (f"/api/v1/programmes/{HUGE}", "programme_id"),
        (f"/api/v1/groups?programme={HUGE}", "programme"),
        (f"/api/v1/groups?page={HUGE}", "page"),
        ("/api/v1/sessions?from=9999-12-31", "from"),
    ):
        response = api.get(url)
        assert response.status_code == 422, url
        assert [e["field"] for e in response.json()["errors"]] == [field]


def _session(world, starts, ends):
    return {
        "group_id": world.group_a.pk,
        "starts_at": starts,
        "ends_at": ends,
    }


def test_api_session_outside_the_years_or_longer_than_12_hours_is_refused(world):
    api = bearer(world.organiser)
    before = Session.objects.count()
    far = api.post(
        "/api/v1/sessions",
        _session(world, "9999-12-31T08:00:00+07:00", "9999-12-31T10:00:00+07:00"),
        content_type="application/json",
    )
    assert far.status_code == 422
    long = api.post(
        "/api/v1/sessions",
        _session(world, "2030-01-07T08:00:00+07:00", "2030-01-07T21:00:00+07:00"),
        content_type="application/json",
    )
    assert long.status_code == 400
    assert long.json()["field"] == "ends_at"
    assert Session.objects.count() == before


def test_the_schedule_generator_refuses_year_9999(world):
    response = client_for(world.organiser).post(
        f"/programmes/{world.programme.pk}/schedule/generate/",
        {
            "group": str(world.group_a.pk),
            "start_date": "9999-12-01",
            "weekdays": ["0"],
            "start_time": "08:30",
            "duration_minutes": "90",
            "count": "6",
            "module_plan": "none",
            "action": "preview",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"]


def test_clean_text_removes_controls_and_trims_invisible_ends():
    assert clean_text(" \u200b\u00a0\u200d ") == ""
    assert clean_text("Ab\x07c\x1b d\te\n\u200b") == "Abc d\te"


def test_api_text_is_cleaned_and_a_nul_is_refused_naming_the_field(world):
    api = bearer(world.organiser)
    body = {"nip": "199001012015031001", "name": "Budi\x07 Santoso", "unit_id": world.dinkes.pk}
    created = api.post("/api/v1/people", body, content_type="application/json")
    assert created.status_code == 201
    assert Person.objects.get(nip=body["nip"]).name == "Budi Santoso"
    refused = api.post(
        "/api/v1/people",
        {**body, "nip": "199001012015031002", "name": "A\x00B"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["name"]
    assert not Person.objects.filter(nip="199001012015031002").exists()


def test_api_refuses_a_json_array_where_an_object_is_expected(world):
    response = bearer(world.organiser).post(
        "/api/v1/people", json.dumps([1, 2]), content_type="application/json"
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["__all__"]


def test_a_reason_of_invisible_characters_is_empty(world):
    enrolment = Enrolment.objects.get(person__user=world.participant)
    response = bearer(world.organiser).post(
        f"/api/v1/enrolments/{enrolment.pk}/withdraw",
        {"reason": "\u200b\u200c\ufeff\u00a0"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ACTIVE


# --- The same rule on pages and in the roster import ------------------------------------


def _programme_form(world, **over):
    data = {
        "title": "Kelas SRIKANDI",
        "organiser_unit": world.bkpsdm.pk,
        "coaching_unit": world.diskominfo.pk,
        "learning_form": "coaching",
        "start_date": "2026-01-05",
        "end_date": "2026-02-05",
        "description": "Tiga kali seminggu",
        "status": "draft",
        "target_sessions": "12",
        "min_attendance_pct": "80",
        "jp_credit": "20",
    }
    return {**data, **over}


def test_a_form_removes_control_characters_before_storing(world):
    from cakap.programmes.models import Programme

    response = client_for(world.organiser).post(
        "/programmes/new/",
        _programme_form(world, title="Kelas\x07 SRIKANDI\u200b", description="Satu\x1b\ndua"),
    )
    assert response.status_code == 302
    programme = Programme.objects.get(title="Kelas SRIKANDI")
    assert programme.description == "Satu\ndua"


def test_a_form_refuses_a_nul_and_stores_nothing(world):
    from cakap.programmes.models import Programme

    before = Programme.objects.count()
    response = client_for(world.organiser).post(
        "/programmes/new/", _programme_form(world, title="Kelas\x00 SRIKANDI")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["title"]
    assert Programme.objects.count() == before


def _roster(name: str) -> bytes:
    header = "Nama,NIP,Unit Kerja\r\n"
    return (header + f"{name},199203172019032009,Diskominfo\r\n").encode()


def test_the_roster_import_cleans_control_characters_and_refuses_a_nul(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = in_english(client_for(world.organiser))
    url = "/people/import/"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", _roster("Dewi\x00 L"))})
    # A NUL cannot be in a text file: the file is refused with a message, nothing planned.
    assert response.status_code == 200
    assert "not a CSV text file" in response.content.decode()
    assert not Person.objects.filter(nip="199203172019032009").exists()

    client.post(url, {"file": SimpleUploadedFile("r.csv", _roster("Dewi\x07 Lestari"))})
    client.post("/people/import/confirm/")
    assert Person.objects.get(nip="199203172019032009").name == "Dewi Lestari"
