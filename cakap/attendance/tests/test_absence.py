"""Absence requests: the participant asks beforehand, the organiser decides."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cakap.attendance import services
from cakap.attendance.models import AbsenceRequest, AttendanceRecord, Method, Status
from cakap.attendance.tests.roll_support import at_minutes, person_of, travel
from cakap.core.models import AuditEntry
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ask(world, status="dinas_luar", reason="SPT ke Padang", **kwargs):
    with travel(at_minutes(world, -120)):
        return services.request_absence(
            world.session_a, status, reason, **kwargs, acting_user=world.participant
        )


def form_url(world):
    return f"/attendance/sessions/{world.session_a.pk}/absence/"


def test_a_participant_asks_through_the_form(world):
    letter = SimpleUploadedFile("spt.pdf", b"%PDF-1.4", content_type="application/pdf")
    client = client_for(world.participant)
    with travel(at_minutes(world, -120)):
        assert client.get(form_url(world)).status_code == 200
        response = client.post(
            form_url(world), {"status": "dinas_luar", "reason": "SPT ke Padang", "document": letter}
        )
    assert response.status_code == 302
    request = AbsenceRequest.objects.get()
    assert request.person == person_of(world.participant)
    assert (request.status, request.reason, request.state) == (
        "dinas_luar",
        "SPT ke Padang",
        "pending",
    )
    assert str(request.document.name).endswith(".pdf")
    assert not AttendanceRecord.objects.exists()  # nothing changes until the organiser decides


def test_one_pending_request_per_session(world):
    ask(world)
    with pytest.raises(services.RollError) as info:
        ask(world, status="sakit", reason="Demam")
    assert info.value.code == "already_pending"
    with travel(at_minutes(world, -120)):
        response = client_for(world.participant).post(
            form_url(world), {"status": "sakit", "reason": "Demam"}
        )
    assert response.status_code == 200 and "sudah memiliki permohonan" in response.content.decode()
    assert AbsenceRequest.objects.count() == 1


def test_only_before_the_session_starts(world):
    with travel(at_minutes(world, 1)), pytest.raises(services.RollError) as info:
        services.request_absence(world.session_a, "izin", "Duka", acting_user=world.participant)
    assert info.value.code == "not_upcoming"


def test_only_for_ones_own_session(world):
    with travel(at_minutes(world, -120)):
        with pytest.raises(services.RollError) as info:
            services.request_absence(
                world.session_a, "izin", "Duka", acting_user=world.other_participant
            )
        assert info.value.code == "not_own"
        for persona in ("other_participant", "coach", "leader", "organiser"):
            assert client_for(getattr(world, persona)).get(form_url(world)).status_code == 404


def test_present_cannot_be_asked_and_a_reason_is_needed(world):
    with pytest.raises(services.RollError) as info:
        ask(world, status="hadir")
    assert info.value.code == "bad_status"
    with pytest.raises(services.RollError) as info:
        ask(world, reason="  ")
    assert info.value.code == "reason_required"


def test_approval_sets_the_record_with_method_excuse(world):
    letter = SimpleUploadedFile("spt.pdf", b"%PDF-1.4", content_type="application/pdf")
    request = ask(world, document=letter)
    with travel(at_minutes(world, -60)):
        response = client_for(world.organiser).post(
            f"/attendance/absence/{request.pk}/decide/", {"decision": "approve", "note": "OK"}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by == world.organiser
    assert request.decision_note == "OK"
    record = AttendanceRecord.objects.get(session=world.session_a)
    assert (record.status, record.method, record.reason) == (
        Status.DINAS_LUAR,
        Method.EXCUSE,
        "SPT ke Padang",
    )
    assert record.document.name == request.document.name
    change = record.changes.get()
    assert (change.actor, change.to_status, change.method) == (
        world.organiser,
        "dinas_luar",
        "excuse",
    )
    assert AuditEntry.objects.filter(action="absence.approved", object_id=request.pk).exists()
    # The same decision again answers with the request; the opposite one is refused.
    services.decide_absence(request, True, acting_user=world.organiser)
    with pytest.raises(services.RollError) as info:
        services.decide_absence(request, False, acting_user=world.organiser)
    assert info.value.code == "already_decided"
    assert record.changes.count() == 1


def test_declining_leaves_the_record_alone(world):
    request = ask(world)
    with travel(at_minutes(world, -60)):
        services.decide_absence(
            request, False, "Hadir saja, rapat ditunda", acting_user=world.organiser
        )
    request.refresh_from_db()
    assert request.state == "declined"
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("persona", ["coach", "participant", "leader", "leader_other"])
def test_only_organisers_decide(world, persona):
    request = ask(world)
    user = getattr(world, persona)
    with pytest.raises(services.RollError) as info:
        services.decide_absence(request, True, acting_user=user)
    assert info.value.code == "forbidden"
    response = client_for(user).post(
        f"/attendance/absence/{request.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 404
    assert client_for(user).get("/attendance/absence/").status_code == 404
    request.refresh_from_db()
    assert request.state == "pending"


def test_the_queue_lists_pending_requests_for_the_organiser(world):
    ask(world)
    response = client_for(world.organiser).get("/attendance/absence/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Participant" in body and "SPT ke Padang" in body


def test_the_request_shows_on_my_attendance(world):
    ask(world)
    with travel(at_minutes(world, -60)):
        response = client_for(world.participant).get(f"/attendance/my/{world.programme.pk}/")
    assert response.status_code == 200
    assert "SPT ke Padang" in response.content.decode()


def test_an_approval_cannot_undo_a_presence(world):
    request = ask(world)
    with travel(at_minutes(world, 5)):
        services.set_status(
            world.session_a, person_of(world.participant), "hadir", acting_user=world.coach
        )
        with pytest.raises(services.RollError) as info:
            services.decide_absence(request, True, acting_user=world.organiser)
    assert info.value.code == "already_present"
    request.refresh_from_db()
    assert request.state == "pending"
    assert AttendanceRecord.objects.get().status == Status.HADIR


def test_an_approval_after_closing_replaces_the_alpa(world):
    request = ask(world)
    with travel(at_minutes(world, 61)):
        services.close_session_attendance(world.session_a, acting_user=None)
        services.decide_absence(request, True, acting_user=world.organiser)
    record = AttendanceRecord.objects.get()
    assert list(record.changes.values_list("from_status", "to_status", "method")) == [
        ("", "alpa", "auto_close"),
        ("alpa", "dinas_luar", "excuse"),
    ]
