"""The programme's check-in rules and a session's venue, set on the organiser's own pages:
who may, what is refused and said, what the audit keeps, and that the check-in honours
what was set (decision 83)."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import (
    AttendancePolicy,
    AttendanceRecord,
    CheckInAttempt,
    SessionVenue,
    Status,
)
from cakap.attendance.phones import new_device_id
from cakap.attendance.tests.roll_support import add_sessions, at_minutes, travel
from cakap.core.models import AuditEntry
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.models import Programme, Session
from conftest import client_for, in_english

pytestmark = pytest.mark.django_db

DEVICE = new_device_id()

RULES = {
    "opens_before_min": "30",
    "closes_after_min": "60",
    "late_after_min": "10",
    "code_period_s": "30",
    "code_grace_s": "30",
    "location_mode": "off",
    "latitude": "",
    "longitude": "",
    "radius_m": "200",
    "shared_device": "refuse",
}


def policy_url(programme) -> str:
    return f"/attendance/programmes/{programme.pk}/policy/"


def venue_url(session) -> str:
    return f"/attendance/sessions/{session.pk}/venue/"


def save_rules(world, user=None, **changes):
    return client_for(user or world.organiser).post(
        policy_url(world.programme), {**RULES, **changes}
    )


def scan(world, moment, *, session=None, location=None):
    """The participant checks in through the API, as a phone app does."""
    session = session or world.session_a
    code = make_code(session.pk, slot_at(moment.timestamp(), 30), settings.SECRET_KEY)
    body = {"session_id": session.pk, "code": code, "device_id": DEVICE, **(location or {})}
    with travel(moment):
        return client_for(world.participant).post(
            "/api/v1/attendance/check-in", body, content_type="application/json"
        )


def errors_of(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


# --- Setting the rules ------------------------------------------------------------------


def test_the_organiser_sets_the_check_in_rules_and_the_audit_keeps_the_change(world):
    response = save_rules(
        world,
        opens_before_min="15",
        closes_after_min="45",
        late_after_min="5",
        location_mode="required",
        latitude="-1,456789",  # a decimal comma, as typed on an Indonesian keyboard
        longitude="101.2345678",
        radius_m="150",
        shared_device="hold",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{world.programme.pk}/"
    policy = AttendancePolicy.objects.get(programme=world.programme)
    assert (policy.opens_before_min, policy.closes_after_min, policy.late_after_min) == (15, 45, 5)
    assert policy.location_mode == "required" and policy.shared_device == "hold"
    assert policy.latitude == Decimal("-1.456789")
    assert policy.longitude == Decimal("101.234568")  # six decimals kept, rounded
    assert policy.radius_m == 150
    entry = AuditEntry.objects.get(action="attendance_policy.updated")
    assert entry.actor_id == world.organiser.pk
    assert entry.changes["late_after_min"] == [10, 5]
    assert entry.changes["latitude"] == [None, "-1.456789"]
    assert "code_period_s" not in entry.changes


def test_saving_the_same_rules_again_writes_nothing_more(world):
    save_rules(world, late_after_min="5")
    save_rules(world, late_after_min="5")
    assert AttendancePolicy.objects.count() == 1
    assert AuditEntry.objects.filter(action="attendance_policy.updated").count() == 1


def test_a_pasted_pair_of_coordinates_fills_both_fields(world):
    save_rules(world, latitude="-1.45, 101.2", longitude="")
    policy = AttendancePolicy.objects.get(programme=world.programme)
    assert (policy.latitude, policy.longitude) == (Decimal("-1.45"), Decimal("101.2"))


BAD_INPUT = [
    ({"latitude": "95", "longitude": "101"}, "latitude", "Lintang harus antara -90 dan 90."),
    ({"latitude": "-1", "longitude": "181"}, "longitude", "Bujur harus antara -180 dan 180."),
    ({"latitude": "-1.5", "longitude": ""}, "longitude", "Isi lintang dan bujur sekaligus"),
    ({"latitude": "utara"}, "latitude", "Isi dengan angka, misalnya -1.456789."),
    ({"latitude": "1e400", "longitude": "1"}, "latitude", "Lintang harus antara -90 dan 90."),
    ({"latitude": "NaN", "longitude": "1"}, "latitude", "Isi dengan angka"),
    ({"radius_m": "5"}, "radius_m", "Isi radius dari 20 sampai 5000 meter."),
    ({"opens_before_min": "-5"}, "opens_before_min", "Isi jumlah menit dari 0 sampai 720."),
    ({"late_after_min": "90"}, "late_after_min", "batas terlambat harus berada di dalam jendela"),
    (
        {"opens_before_min": "0", "closes_after_min": "2", "late_after_min": "0"},
        "closes_after_min",
        "paling sedikit 5 menit",
    ),
    ({"code_period_s": "3"}, "code_period_s", "Isi jumlah detik dari 10 sampai 300."),
    ({"location_mode": "always"}, "location_mode", "Masukkan pilihan yang valid"),
    ({"closes_after_min": ""}, "closes_after_min", "Kolom ini wajib diisi"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_rules_are_refused_naming_the_field_in_indonesian(world, changes, field, message):
    response = save_rules(world, **changes)
    assert response.status_code == 200
    errors = errors_of(response)
    assert any(message in m for m in errors.get(field, [])), errors
    assert not AttendancePolicy.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_rules_page_speaks_english_when_chosen(world):
    client = in_english(client_for(world.organiser))
    response = client.post(
        policy_url(world.programme), {**RULES, "latitude": "95", "longitude": "1"}
    )
    assert "Latitude must be between -90 and 90." in errors_of(response)["latitude"]


def test_a_change_made_meanwhile_is_not_overwritten(world):
    client = client_for(world.organiser)
    page = client.get(policy_url(world.programme))
    seen = page.context["form"]["seen"].value()
    save_rules(world, world.admin, shared_device="hold")  # someone else, in between
    response = client.post(policy_url(world.programme), {**RULES, "seen": seen})
    assert response.status_code == 200
    assert "Orang lain mengubah pengaturan ini" in " ".join(errors_of(response)["__all__"])
    assert AttendancePolicy.objects.get().shared_device == "hold"
    # Having looked, saving again goes through.
    again = client.post(policy_url(world.programme), response.context["form"].data)
    assert again.status_code == 302
    assert AttendancePolicy.objects.get().shared_device == "refuse"


# --- Who may --------------------------------------------------------------------------------


def organiser_of_another_programme(world):
    """An organiser over one kecamatan, with a programme of their own there."""
    login = User.objects.create_user(email="camat@example.test", password="x-long-password-1")
    Person.objects.create(nip="197506062000031006", name="Camat", unit=world.kecamatan, user=login)
    RoleAssignment.objects.create(user=login, role="organiser", unit=world.kecamatan)
    Programme.objects.create(
        title="Other",
        organiser_unit=world.kecamatan,
        coaching_unit=world.kecamatan,
        start_date=world.programme.start_date,
        end_date=world.programme.end_date,
    )
    return login


@pytest.mark.parametrize("persona", ["coach", "participant", "leader", "other_organiser"])
def test_only_the_programmes_organisers_reach_the_rules_and_venue_pages(world, persona):
    user = (
        organiser_of_another_programme(world)
        if persona == "other_organiser"
        else getattr(world, persona)
    )
    client = client_for(user)
    assert client.get(policy_url(world.programme)).status_code == 404
    assert client.get(venue_url(world.session_a)).status_code == 404
    assert (
        client.post(policy_url(world.programme), {**RULES, "late_after_min": "0"}).status_code
        == 404
    )
    response = client.post(venue_url(world.session_a), {"venue": "X", "radius_m": "100"})
    assert response.status_code == 404
    assert not AttendancePolicy.objects.exists() and not SessionVenue.objects.exists()
    assert Session.objects.get(pk=world.session_a.pk).venue == "Ruang Rapat"
    assert not AuditEntry.objects.exists()


def test_anonymous_is_sent_to_sign_in(world):
    response = client_for(None).get(policy_url(world.programme))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_organiser_over_a_smaller_unit_cannot_set_a_programme_above_it(world):
    """Scope by the programme's organiser unit: a BKPSDM sub-unit's organiser manages only
    programmes organised under it."""
    sub = Unit.objects.create(name="Bidang Bangkom", parent=world.bkpsdm, kind=Unit.Kind.BIDANG)
    login = organiser_of_another_programme(world)
    RoleAssignment.objects.filter(user=login).update(unit=sub)
    assert client_for(login).post(policy_url(world.programme), RULES).status_code == 404
    assert not AttendancePolicy.objects.exists()


def test_coaches_and_participants_read_the_rules_on_the_programme_page(world):
    save_rules(world, opens_before_min="20", late_after_min="15")
    for user in (world.coach, world.participant):
        page = client_for(user).get(f"/programmes/{world.programme.pk}/").content.decode()
        assert "Aturan presensi" in page
        assert "Dari 20 menit sebelum mulai sampai 60 menit setelahnya" in page
        assert "Setelah 15 menit dari mulai" in page
        assert policy_url(world.programme) not in page  # no way to change them
    page = client_for(world.organiser).get(f"/programmes/{world.programme.pk}/").content.decode()
    assert policy_url(world.programme) in page


def test_the_coachs_check_in_screen_says_the_window_and_lateness(world):
    save_rules(world, opens_before_min="30", closes_after_min="15", late_after_min="10")
    page = client_for(world.coach).get(f"/attendance/sessions/{world.session_a.pk}/checkin/")
    text = page.content.decode()
    assert "Presensi 08.30 WIB sampai 09.15 WIB; terlambat setelah 09.10 WIB." in text


# --- The check-in honours what was set -----------------------------------------------------


def test_a_narrower_window_set_on_the_page_refuses_an_early_check_in(world):
    assert save_rules(world, opens_before_min="5").status_code == 302
    early = scan(world, at_minutes(world, -10))
    assert early.status_code == 400 and early.json()["code"] == "not_open"
    assert "08.55 WIB" in early.json()["message"]
    assert not AttendanceRecord.objects.exists()
    on_time = scan(world, at_minutes(world, -3))
    assert on_time.status_code == 201 and on_time.json()["record"]["status"] == "hadir"


def test_the_lateness_set_on_the_page_decides_who_is_late(world):
    save_rules(world, late_after_min="3")
    response = scan(world, at_minutes(world, 4))
    assert response.json()["record"]["status"] == "terlambat"


def test_the_programmes_venue_point_refuses_a_check_in_far_away(world):
    save_rules(world, location_mode="required", latitude="-1.5", longitude="101.1", radius_m="100")
    far = {"latitude": -1.51, "longitude": 101.1, "accuracy_m": 10}  # about 1.1 km south
    response = scan(world, at_minutes(world, 1), location=far)
    assert response.status_code == 400 and response.json()["code"] == "outside_area"
    assert CheckInAttempt.objects.get().detail["distance_m"] > 1000
    near = {"latitude": -1.5003, "longitude": 101.1, "accuracy_m": 10}
    assert scan(world, at_minutes(world, 2), location=near).status_code == 201


def test_a_sessions_own_point_wins_over_the_programmes(world):
    save_rules(world, location_mode="required", latitude="-1.5", longitude="101.1", radius_m="100")
    response = client_for(world.organiser).post(
        venue_url(world.session_a),
        {"venue": "Kantor Camat", "latitude": "-1.51", "longitude": "101.1", "radius_m": "100"},
    )
    assert response.status_code == 302
    at_the_session = {"latitude": -1.5101, "longitude": 101.1, "accuracy_m": 10}
    assert scan(world, at_minutes(world, 1), location=at_the_session).status_code == 201


# --- While a session's check-in is open ----------------------------------------------------


def test_a_change_that_would_close_an_open_window_at_once_is_refused(world):
    with travel(at_minutes(world, 20)):
        response = save_rules(world, closes_after_min="15", late_after_min="10")
    assert response.status_code == 200
    message = " ".join(errors_of(response)["closes_after_min"])
    assert "sedang dibuka" in message and "alpa" in message
    assert not AttendancePolicy.objects.exists()


def test_the_code_cannot_change_while_a_check_in_is_open(world):
    with travel(at_minutes(world, 5)):
        response = save_rules(world, code_period_s="60")
    assert "layar coach" in " ".join(errors_of(response)["code_period_s"])
    assert not AttendancePolicy.objects.exists()
    # The rules shown above the form are those in force, not the refused ones.
    assert "Berganti setiap 30 detik" in response.content.decode()
    with travel(at_minutes(world, 61)):  # the window has closed: now it may
        assert save_rules(world, code_period_s="60").status_code == 302


def test_a_lateness_change_during_a_session_keeps_the_records_already_written(world):
    first = scan(world, at_minutes(world, 8))
    assert first.json()["record"]["status"] == "hadir"
    with travel(at_minutes(world, 9)):
        assert save_rules(world, late_after_min="5").status_code == 302
    record = AttendanceRecord.objects.get()
    assert record.status == Status.HADIR and record.minutes_late == 0
    assert record.changes.count() == 1


def test_the_session_overrides_that_end_before_lateness_block_a_later_lateness(world):
    client = client_for(world.organiser)
    later = add_sessions(world, [2])[0]
    assert (
        client.post(
            venue_url(later), {"venue": "Aula", "radius_m": "200", "closes_after_min": "20"}
        ).status_code
        == 302
    )
    response = save_rules(world, late_after_min="30")
    assert "Ubah dulu jendela presensi sesi itu" in " ".join(errors_of(response)["late_after_min"])


# --- A session's venue ----------------------------------------------------------------------


def test_the_organiser_sets_a_sessions_venue_with_its_audit(world):
    response = client_for(world.organiser).post(
        venue_url(world.session_a),
        {
            "venue": "Aula Kantor Bupati",
            "address": "Jl. Merdeka No. 1, Padang Aro",
            "online_url": "meet.example.test/abc",
            "latitude": "-1.4567",
            "longitude": "101.2345",
            "radius_m": "120",
            "opens_before_min": "10",
            "closes_after_min": "",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(pk=world.session_a.pk)
    assert session.venue == "Aula Kantor Bupati"
    assert session.online_url == "https://meet.example.test/abc"
    venue = SessionVenue.objects.get(session=session)
    assert venue.address == "Jl. Merdeka No. 1, Padang Aro" and venue.radius_m == 120
    assert (venue.opens_before_min, venue.closes_after_min) == (10, None)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert actions == {"session.updated", "session_venue.updated"}
    page = client_for(world.participant).get(f"/programmes/sessions/{session.pk}/")
    text = page.content.decode()
    assert "Jl. Merdeka No. 1, Padang Aro" in text and "08.50" in text
    assert "openstreetmap.org/?mlat=-1.456700&amp;mlon=101.234500" in text
    assert venue_url(session) not in text


def test_a_session_window_closing_before_lateness_is_refused(world):
    response = client_for(world.organiser).post(
        venue_url(world.session_a), {"venue": "Aula", "radius_m": "200", "closes_after_min": "5"}
    )
    assert "tidak boleh ditutup sebelum itu" in " ".join(errors_of(response)["closes_after_min"])
    assert not SessionVenue.objects.exists()


def test_a_cancelled_session_keeps_its_venue(world):
    Session.objects.filter(pk=world.session_a.pk).update(status=Session.Status.CANCELLED)
    client = client_for(world.organiser)
    assert "dibatalkan atau dipindahkan" in client.get(venue_url(world.session_a)).content.decode()
    response = client.post(venue_url(world.session_a), {"venue": "X", "radius_m": "200"})
    assert response.status_code == 200
    assert Session.objects.get(pk=world.session_a.pk).venue == "Ruang Rapat"
    assert not SessionVenue.objects.exists()


def test_closing_the_roll_keeps_the_venue_and_a_later_edit_keeps_the_close(world):
    from cakap.attendance.services import close_session_attendance

    client = client_for(world.organiser)
    client.post(venue_url(world.session_a), {"venue": "Aula", "radius_m": "200", "address": "A"})
    with travel(at_minutes(world, 30)):
        close_session_attendance(world.session_a, acting_user=world.coach)
    client.post(venue_url(world.session_a), {"venue": "Aula", "radius_m": "250", "address": "B"})
    venue = SessionVenue.objects.get()
    assert venue.closed_at is not None and venue.address == "B" and venue.radius_m == 250


def test_the_sessions_list_of_the_rules_page_costs_the_same_for_many(
    world, django_assert_max_num_queries
):
    add_sessions(world, list(range(1, 21)))
    for session in Session.objects.all()[:5]:
        SessionVenue.objects.create(session=session, opens_before_min=10)
    client = client_for(world.organiser)
    with travel(at_minutes(world, -600)), django_assert_max_num_queries(12):
        response = client.get(policy_url(world.programme))
    assert len(response.context["sessions"]) == 22


def test_times_in_the_past_do_not_matter_to_planned_overrides(world):
    """A programme whose sessions are all in the past sets its rules freely."""
    Session.objects.update(
        starts_at=world.session_a.starts_at - datetime.timedelta(days=3),
        ends_at=world.session_a.ends_at - datetime.timedelta(days=3),
    )
    assert save_rules(world, closes_after_min="20", code_period_s="45").status_code == 302


def test_a_moved_session_hands_its_venue_to_its_replacement(world):
    later = add_sessions(world, [3])[0]
    client = client_for(world.organiser)
    client.post(
        venue_url(later),
        {
            "venue": "Aula",
            "address": "Jl. Contoh 5",
            "latitude": "-1.4",
            "longitude": "101.3",
            "radius_m": "80",
            "closes_after_min": "40",
        },
    )
    response = client.post(
        f"/programmes/sessions/{later.pk}/move/",
        {
            "move-date": (later.starts_at + datetime.timedelta(days=1)).date().isoformat(),
            "move-start_time": "09:00",
            "move-end_time": "11:00",
            "move-reason": "Aula dipakai",
        },
    )
    assert response.status_code == 302
    new = Session.objects.get(moved_from=later)
    venue = SessionVenue.objects.get(session=new)
    assert (venue.address, venue.radius_m, venue.closes_after_min) == ("Jl. Contoh 5", 80, 40)
    assert venue.latitude == Decimal("-1.4") and venue.closed_at is None
    assert SessionVenue.objects.get(session=later).address == "Jl. Contoh 5"  # kept as history
