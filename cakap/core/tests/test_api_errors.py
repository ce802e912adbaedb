"""How the API answers failures: JSON with a code and a message in the caller's language."""

import pytest

from cakap.programmes import services
from cakap.programmes.models import Enrolment
from conftest import client_for


def test_validation_errors_name_the_field_in_indonesian_by_default(world):
    response = client_for(world.organiser).post(
        "/api/v1/people", {"nip": "198001012005011007"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response["Content-Language"] == "id"
    body = response.json()
    assert body["code"] == "invalid"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert set(fields) == {"name", "unit_id"}
    assert "required" not in fields["name"]


def test_validation_errors_in_english_when_asked(world):
    response = client_for(world.organiser).post(
        "/api/v1/people",
        {"nip": "198001012005011007"},
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response["Content-Language"] == "en"
    body = response.json()
    assert body["message"] == "Some fields are not valid."
    assert {e["message"] for e in body["errors"]} == {"This field is required."}


@pytest.mark.parametrize(("language", "message"), [("en", "Not found."), ("id", None)])
def test_not_found_is_json(world, language, message):
    response = client_for(world.coach).get(
        "/api/v1/programmes/999999", headers={"accept-language": language}
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "not_found"
    if message:
        assert body["message"] == message
    else:
        assert body["message"] and body["message"] != "Not found."


def test_an_unknown_endpoint_is_json_404(world):
    response = client_for(world.coach).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_wrong_type_in_the_query_names_the_parameter(world):
    response = client_for(world.coach).get("/api/v1/sessions", {"from": "besok"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"


def test_a_naive_datetime_is_refused(world):
    response = client_for(world.organiser).post(
        "/api/v1/sessions",
        {
            "group_id": world.group_a.pk,
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T11:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"starts_at", "ends_at"}


def test_a_domain_conflict_is_409_with_its_code(world):
    enrolment = Enrolment.objects.get(group=world.group_a)
    response = client_for(world.organiser).post(
        "/api/v1/enrolments",
        {"group_id": world.group_b.pk, "person_id": enrolment.person_id},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "already_enrolled"
    assert body["field"] == "person_id"
    assert body["message"]


def test_a_domain_input_error_is_400(world):
    response = client_for(world.organiser).post(
        f"/api/v1/enrolments/{Enrolment.objects.get(group=world.group_a).pk}/withdraw",
        {"reason": "  "},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert response.json()["field"] == "reason"


def test_an_unexpected_failure_shows_no_traceback(world, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals at /srv/cakap")

    monkeypatch.setattr(services, "cancel_session", explode)
    response = client_for(world.organiser).post(
        f"/api/v1/sessions/{world.session_a.pk}/cancel",
        {"reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert b"secret" not in response.content and b"Traceback" not in response.content
    assert "secret internals" in caplog.text  # the operator still sees it
