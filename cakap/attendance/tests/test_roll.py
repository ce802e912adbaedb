"""The manual roll: scopes, saving all rows in one transaction, reasons, documents, the
trail, htmx row saves and a fixed query count."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cakap.attendance import services
from cakap.attendance.models import AttendanceChange, AttendanceRecord, Method, Status
from cakap.attendance.tests.roll_support import add_participants, at_minutes, person_of, travel
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


PERSONAS_SEE = {
    "organiser": True,
    "coach": True,
    "participant": False,
    "other_participant": False,
    "leader": False,
    "leader_other": False,
    "admin": True,
}


def roll_url(session):
    return f"/attendance/sessions/{session.pk}/roll/"


def pdf(name="surat-tugas.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 duty letter", content_type="application/pdf")


@pytest.mark.parametrize(("persona", "sees"), sorted(PERSONAS_SEE.items()))
def test_the_roll_is_scoped(world, persona, sees):
    with travel(at_minutes(world, 10)):
        response = client_for(getattr(world, persona)).get(roll_url(world.session_a))
    assert response.status_code == (200 if sees else 404)
    if sees:
        assert "Participant" in response.content.decode()


def test_anonymous_is_sent_to_login(world):
    response = client_for(None).get(roll_url(world.session_a))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_coach_cannot_open_another_groups_roll(world):
    with travel(at_minutes(world, 10)):
        assert client_for(world.coach).get(roll_url(world.session_b)).status_code == 404
        response = client_for(world.coach).post(
            roll_url(world.session_b), {f"status-{person_of(world.other_participant).pk}": "hadir"}
        )
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_one_submit_saves_every_changed_row_with_the_trail(world):
    a, b, c = add_participants(world, 3)
    with travel(at_minutes(world, 10)):
        response = client_for(world.coach).post(
            roll_url(world.session_a),
            {
                f"status-{a.pk}": "hadir",
                f"status-{b.pk}": "dinas_luar",
                f"reason-{b.pk}": "Rapat di provinsi",
                f"document-{b.pk}": pdf(),
                f"status-{c.pk}": "",
            },
        )
    assert response.status_code == 302
    records = {r.person_id: r for r in AttendanceRecord.objects.filter(session=world.session_a)}
    assert set(records) == {a.pk, b.pk}
    assert records[a.pk].status == Status.HADIR and records[a.pk].method == Method.MANUAL
    assert records[b.pk].status == Status.DINAS_LUAR and records[b.pk].reason == "Rapat di provinsi"
    assert str(records[b.pk].document.name).endswith(".pdf")
    assert records[b.pk].recorded_by == world.coach
    change = AttendanceChange.objects.get(record=records[b.pk])
    assert (change.actor, change.from_status, change.to_status, change.reason) == (
        world.coach,
        "",
        "dinas_luar",
        "Rapat di provinsi",
    )


def test_an_excused_status_without_a_reason_saves_nothing(world):
    a, b = add_participants(world, 2)
    with travel(at_minutes(world, 10)):
        response = client_for(world.coach).post(
            roll_url(world.session_a), {f"status-{a.pk}": "hadir", f"status-{b.pk}": "izin"}
        )
    assert response.status_code == 200
    assert "wajib disertai alasan" in response.content.decode()
    assert not AttendanceRecord.objects.exists()


def test_a_refused_row_rolls_back_the_whole_submit(world):
    a, b = add_participants(world, 2)
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with travel(at_minutes(world, 10)):
        response = client_for(world.organiser).post(
            roll_url(world.session_a),
            {
                f"status-{a.pk}": "hadir",
                f"status-{b.pk}": "sakit",
                f"reason-{b.pk}": "Demam",
                f"document-{b.pk}": bad,
            },
        )
    assert response.status_code == 200
    assert "PDF, JPG, atau PNG" in response.content.decode()
    assert not AttendanceRecord.objects.exists()
    assert not AttendanceChange.objects.exists()


def test_every_change_is_kept_and_a_repeat_changes_nothing(world):
    person = person_of(world.participant)
    with travel(at_minutes(world, 10)):
        services.set_status(world.session_a, person, Status.HADIR, acting_user=world.coach)
        services.set_status(
            world.session_a, person, Status.IZIN, reason="Duka", acting_user=world.organiser
        )
        services.set_status(
            world.session_a, person, Status.IZIN, reason="Duka", acting_user=world.organiser
        )
        services.set_status(
            world.session_a, person, Status.TERLAMBAT, reason="Hujan", acting_user=world.coach
        )
    record = AttendanceRecord.objects.get(session=world.session_a, person=person)
    assert AttendanceRecord.objects.count() == 1
    trail = list(record.changes.values_list("actor", "from_status", "to_status", "reason"))
    assert trail == [
        (world.coach.pk, "", "hadir", ""),
        (world.organiser.pk, "hadir", "izin", "Duka"),
        (world.coach.pk, "izin", "terlambat", "Hujan"),
    ]


@pytest.mark.parametrize("status", ["izin", "sakit", "dinas_luar"])
def test_excused_statuses_need_a_reason(world, status):
    with travel(at_minutes(world, 10)), pytest.raises(services.RollError) as info:
        services.set_status(
            world.session_a, person_of(world.participant), status, acting_user=world.coach
        )
    assert info.value.code == "reason_required"
    assert not AttendanceRecord.objects.exists()


def test_present_waits_for_the_window_but_an_excuse_does_not(world):
    person = person_of(world.participant)
    with travel(at_minutes(world, -120)):
        with pytest.raises(services.RollError) as info:
            services.set_status(world.session_a, person, Status.HADIR, acting_user=world.coach)
        assert info.value.code == "not_started"
        services.set_status(
            world.session_a, person, Status.SAKIT, reason="Opname", acting_user=world.coach
        )
    assert AttendanceRecord.objects.get().status == Status.SAKIT


@pytest.mark.parametrize("persona", ["participant", "other_participant", "leader", "leader_other"])
def test_only_coaches_and_organisers_may_set_a_status(world, persona):
    with travel(at_minutes(world, 10)), pytest.raises(services.RollError) as info:
        services.set_status(
            world.session_a,
            person_of(world.participant),
            Status.HADIR,
            acting_user=getattr(world, persona),
        )
    assert info.value.code == "forbidden"
    assert not AttendanceRecord.objects.exists()


def test_a_person_outside_the_group_is_refused(world):
    with travel(at_minutes(world, 10)), pytest.raises(services.RollError) as info:
        services.set_status(
            world.session_a,
            person_of(world.other_participant),
            Status.HADIR,
            acting_user=world.organiser,
        )
    assert info.value.code == "not_enrolled"


def test_a_document_only_goes_with_an_excused_status(world):
    with travel(at_minutes(world, 10)), pytest.raises(services.RollError) as info:
        services.set_status(
            world.session_a,
            person_of(world.participant),
            Status.HADIR,
            document=pdf(),
            acting_user=world.coach,
        )
    assert info.value.code == "document_not_allowed"


def test_htmx_saves_one_row(world):
    person = person_of(world.participant)
    with travel(at_minutes(world, 10)):
        response = client_for(world.coach).post(
            f"/attendance/sessions/{world.session_a.pk}/roll/{person.pk}/",
            {f"status-{person.pk}": "terlambat", f"reason-{person.pk}": ""},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div class="roll-row" id="roll-row-{person.pk}">')
    assert 'value="terlambat" checked' in body
    # The counts above the roll are redrawn with the row, out of band.
    assert 'id="roll-counts" hx-swap-oob="true"' in body
    assert "Terlambat: 1" in body
    assert AttendanceRecord.objects.get(person=person).status == Status.TERLAMBAT


def test_the_document_is_served_only_within_scope(world):
    person = person_of(world.participant)
    with travel(at_minutes(world, 10)):
        record = services.set_status(
            world.session_a,
            person,
            Status.SAKIT,
            reason="Demam",
            document=pdf(),
            acting_user=world.coach,
        )
    url = f"/attendance/records/{record.pk}/document/"
    for persona in ("organiser", "coach", "participant", "leader", "admin"):
        response = client_for(getattr(world, persona)).get(url)
        assert response.status_code == 200, persona
        assert response.getvalue().startswith(b"%PDF")
    for persona in ("other_participant", "leader_other"):
        assert client_for(getattr(world, persona)).get(url).status_code == 404


@pytest.mark.parametrize("size", [5, 40])
def test_the_roll_costs_the_same_queries_whatever_the_roster(
    world, size, django_assert_max_num_queries
):
    people = add_participants(world, size)
    with travel(at_minutes(world, 10)):
        for p in people[::3]:
            services.set_status(world.session_a, p, Status.HADIR, acting_user=world.coach)
        client = client_for(world.coach)
        with django_assert_max_num_queries(12):
            response = client.get(roll_url(world.session_a))
    assert response.status_code == 200
    assert response.content.decode().count(' id="roll-row-') == size + 1


def test_a_document_over_five_megabytes_is_refused(world):
    big = SimpleUploadedFile(
        "scan.pdf", b"0" * (5 * 1024 * 1024 + 1), content_type="application/pdf"
    )
    with travel(at_minutes(world, 10)), pytest.raises(services.RollError) as info:
        services.set_status(
            world.session_a, person_of(world.participant), "sakit", reason="Demam",
            document=big, acting_user=world.coach,
        )  # fmt: skip
    assert info.value.code == "document_too_large"
    assert not AttendanceRecord.objects.exists()
