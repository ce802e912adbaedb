"""The participant's pages: scan link, sign-in in between, typed code, card, weight."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client

from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.models import AttendanceRecord, CheckInAttempt, Status
from cakap.attendance.phones import DEVICE_COOKIE, person_id_from_card
from cakap.people.models import Person
from conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db
PAGE_BUDGET = 30 * 1024


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at_minutes(world, minutes, seconds=0):
    return world.session_a.starts_at + datetime.timedelta(minutes=minutes, seconds=seconds)


def scan_url(session, at):
    code = make_code(session.pk, slot_at(at.timestamp(), 30), settings.SECRET_KEY)
    return f"/attendance/c/{session.pk}/{code}/"


def record_of(user, session):
    return AttendanceRecord.objects.filter(session=session, person__user=user).first()


def test_scan_then_post_checks_the_participant_in(world):
    client = client_for(world.participant)
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert b'id="checkin-form"' in page.content and b"htmx.min.js" not in page.content
        cookie = page.cookies[DEVICE_COOKIE]
        assert cookie["httponly"] and len(cookie.value) >= 40
        done = client.post(url)
    assert done.status_code == 200
    assert "09.02 WIB" in done.content.decode()
    record = record_of(world.participant, world.session_a)
    assert record.status == Status.HADIR and record.device_id == cookie.value


def test_the_script_gets_a_fragment(world):
    client = client_for(world.participant)
    at = at_minutes(world, 14)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        client.get(url)
        fragment = client.post(url, headers={"X-Cakap-Fetch": "1"})
    body = fragment.content.decode()
    assert 'data-outcome="terlambat"' in body and "14" in body and "<html" not in body


def test_sign_in_after_the_scan_keeps_the_code_and_the_scan_time(world):
    client = Client()
    scan = at_minutes(world, 9, 55)
    url = scan_url(world.session_a, scan)
    with time_machine.travel(scan, tick=False):
        answer = client.get(url)
    assert answer.status_code == 302 and answer["Location"].startswith("/login/?next=")
    later = scan + datetime.timedelta(minutes=3)  # the code expired and it is now late
    with time_machine.travel(later, tick=False):
        login = client.post(
            answer["Location"], {"username": "participant@example.test", "password": PASSWORD}
        )
        assert login.status_code == 302 and login["Location"] == url
        assert client.get(url).status_code == 200
        client.post(url)
    record = record_of(world.participant, world.session_a)
    assert record.status == Status.HADIR and record.checked_in_at == scan


def test_a_dropped_connection_retry_keeps_the_scan_time(world):
    client = client_for(world.participant)
    scan = at_minutes(world, 9, 50)
    url = scan_url(world.session_a, scan)
    with time_machine.travel(scan, tick=False):
        client.get(url)
    # The first POST never arrived; the script's retry lands two minutes later.
    with time_machine.travel(scan + datetime.timedelta(minutes=2), tick=False):
        client.post(url, headers={"X-Cakap-Fetch": "1"})
    record = record_of(world.participant, world.session_a)
    assert record.status == Status.HADIR and record.checked_in_at == scan


def test_a_refusal_shows_its_message(world):
    client = client_for(world.participant)
    at = at_minutes(world, 2)
    with time_machine.travel(at, tick=False):
        answer = client.post(f"/attendance/c/{world.session_a.pk}/ABCDEF/")
    assert 'data-reason="bad_code"' in answer.content.decode()
    assert CheckInAttempt.objects.get().reason == "bad_code"
    assert record_of(world.participant, world.session_a) is None


def test_one_phone_for_two_people_is_refused_by_its_cookie(world):
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    phone = client_for(world.participant)
    with time_machine.travel(at, tick=False):
        phone.get(url)
        phone.post(url)
    from cakap.programmes.models import Enrolment

    Enrolment.objects.filter(person__user=world.other_participant).update(group=world.group_a)
    phone.force_login(world.other_participant)
    with time_machine.travel(at, tick=False):
        answer = phone.post(url, headers={"X-Cakap-Fetch": "1"})
    assert 'data-reason="device_used"' in answer.content.decode()
    assert record_of(world.other_participant, world.session_a) is None


def test_unknown_session_is_404(world):
    assert client_for(world.participant).get("/attendance/c/99999/ABCDEF/").status_code == 404


def test_participant_of_another_group_is_told_not_enrolled(world):
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    client = client_for(world.other_participant)
    with time_machine.travel(at, tick=False):
        answer = client.post(url, headers={"X-Cakap-Fetch": "1"})
    assert 'data-reason="not_enrolled"' in answer.content.decode()
    assert world.session_a.venue not in answer.content.decode()


def test_typed_code_checks_in(world):
    client = client_for(world.participant)
    at = at_minutes(world, 1)
    code = make_code(world.session_a.pk, slot_at(at.timestamp(), 30), settings.SECRET_KEY)
    with time_machine.travel(at, tick=False):
        assert client.get("/attendance/checkin/").status_code == 200
        answer = client.post("/attendance/checkin/", {"code": f"{code[:3]} {code[3:].lower()}"})
    assert 'data-outcome="hadir"' in answer.content.decode()
    assert record_of(world.participant, world.session_a).method == "code"


def test_typed_code_form_names_a_short_code(world):
    answer = client_for(world.participant).post("/attendance/checkin/", {"code": "AB"})
    assert "six" in answer.content.decode().lower() or "enam" in answer.content.decode().lower()


def test_typed_code_needs_a_sign_in(world):
    assert Client().get("/attendance/checkin/").status_code == 302


def test_my_card_carries_a_signed_token_of_the_person(world):
    page = client_for(world.participant).get("/attendance/card/")
    assert page.status_code == 200 and b"<svg" in page.content
    person = Person.objects.get(user=world.participant)
    assert person.nip_grouped in page.content.decode()
    from cakap.attendance.phones import card_token

    assert person_id_from_card(card_token(person)) == person.pk
    assert person_id_from_card(card_token(person).replace(f"P{person.pk}", "P1")) is None
    assert client_for(world.admin).get("/attendance/card/").status_code == 404
    assert Client().get("/attendance/card/").status_code == 302


def _weight(client, html: str) -> tuple[int, list[str]]:
    """The bytes of a page and of every asset it references (scripts, styles, images)."""
    total = len(html.encode())
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    for url in assets:
        path = finders.find(url.removeprefix("/static/"))
        assert path, url
        with open(path, "rb") as f:
            total += len(f.read())
    return total, assets


def test_the_check_in_page_weighs_under_30_kb_in_all(world):
    client = client_for(world.participant)
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        page = client.get(url)
        result = client.post(url, headers={"X-Cakap-Fetch": "1"})
    total, assets = _weight(client, page.content.decode())
    total += len(result.content)
    assert not any("htmx" in a or "vendor" in a for a in assets)
    assert total <= PAGE_BUDGET, total
    print(f"check-in page weight: {total} bytes ({', '.join(assets)})")


def test_scan_view_queries_are_few(world, django_assert_num_queries):
    client = client_for(world.participant)
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        client.get(url)
        # On PostgreSQL one written statement reads the sign-in session, its user and
        # all a check-in reads of them, and another writes the record and its trail
        # (statements.py). On SQLite: Django's session, then its user with their person
        # (Django's own engine and middleware), then the session with all a check-in
        # reads of this person; then two inserts in a savepoint (see test_checkin).
        reads, writes = (1, 1) if connection.vendor == "postgresql" else (3, 4)
        with django_assert_num_queries(reads + writes):
            answer = client.post(url, headers={"X-Cakap-Fetch": "1"})
        assert 'data-outcome="hadir"' in answer.content.decode()


def test_a_scan_posted_with_an_expired_sign_in_asks_to_sign_in_and_records_nothing(world):
    client = client_for(world.participant)
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        client.get(url)
    # Days later (the Django session expired) the same phone posts the scan.
    late = at + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(late, tick=False):
        answer = client.post(url)
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not AttendanceRecord.objects.filter(session=world.session_a).exists()


def test_a_scan_posted_after_the_password_changed_elsewhere_asks_to_sign_in(world):
    client = client_for(world.participant)
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    user = world.participant
    user.set_password("a-new-password-2026")
    user.save()
    with time_machine.travel(at, tick=False):
        answer = client.post(url, headers={"X-Cakap-Fetch": "1"})
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not AttendanceRecord.objects.filter(session=world.session_a).exists()


def test_a_scan_posted_by_someone_not_signed_in_keeps_the_scan_and_asks_to_sign_in(world):
    client = Client()
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    with time_machine.travel(at, tick=False):
        client.get(url)  # the scan is remembered in a session that names nobody
        answer = client.post(url, headers={"X-Cakap-Fetch": "1"})
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not AttendanceRecord.objects.filter(session=world.session_a).exists()
    # Signing in on that phone then finishes the check-in as of the scan.
    later = at + datetime.timedelta(seconds=50)
    with time_machine.travel(later, tick=False):
        client.force_login(world.participant)
        done = client.post(url, headers={"X-Cakap-Fetch": "1"})
    assert 'data-outcome="hadir"' in done.content.decode()
    assert record_of(world.participant, world.session_a).checked_in_at == at


def test_a_scan_posted_for_a_missing_session_is_not_found_signed_in_or_not(world):
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at).replace(f"/c/{world.session_a.pk}/", "/c/999999/")
    with time_machine.travel(at, tick=False):
        assert client_for(world.participant).post(url).status_code == 404
        assert Client().post(url).status_code == 404


def test_the_sign_in_page_says_the_scan_is_kept(world):
    client = Client()
    scan = at_minutes(world, 1)
    with time_machine.travel(scan, tick=False):
        answer = client.get(scan_url(world.session_a, scan), follow=True)
    assert "09.01 WIB" in answer.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("organiser", 200), ("admin", 200), ("coach", 404), ("participant", 404), ("leader", 404)],
)
def test_refused_attempts_are_listed_for_the_organiser(world, who, status):
    at = at_minutes(world, 2)
    with time_machine.travel(at, tick=False):
        client_for(world.participant).post(f"/attendance/c/{world.session_a.pk}/ABCDEF/")
    page = client_for(getattr(world, who)).get(
        f"/attendance/programmes/{world.programme.pk}/refusals/", {"reason": "bad_code"}
    )
    assert page.status_code == status
    if status == 200:
        assert "bad_code" in page.content.decode() and "Participant" in page.content.decode()


def test_typed_code_page_asks_for_the_position_only_when_a_session_needs_it(world):
    from cakap.attendance.models import AttendancePolicy

    at = at_minutes(world, -10)
    client = client_for(world.participant)
    with time_machine.travel(at, tick=False):
        plain = client.get("/attendance/checkin/").content.decode()
        AttendancePolicy.objects.create(programme=world.programme, location_mode="required")
        located = client.get("/attendance/checkin/").content.decode()
    assert 'name="lat"' not in plain and "checkin.js" not in plain
    assert 'data-location="required"' in located and 'name="lat"' in located


def _outsider(world):
    """A participant of another programme, with nothing to do with session A's."""
    from cakap.people.models import User
    from cakap.programmes.models import Enrolment, Group, Programme

    user = User.objects.create_user(email="outsider@example.test", password=PASSWORD)
    person = Person.objects.create(
        nip="198001012005011999", name="Outsider", unit=world.dinkes, user=user
    )
    other = Programme.objects.create(
        title="Elsewhere",
        organiser_unit=world.programme.organiser_unit,
        coaching_unit=world.programme.coaching_unit,
        start_date=world.programme.start_date,
        end_date=world.programme.end_date,
    )
    group = Group.objects.create(programme=other, name="X")
    Enrolment.objects.create(programme=other, group=group, person=person)
    return user


def test_a_scan_link_outside_my_programmes_answers_like_a_link_to_no_session(world):
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    missing = url.replace(f"/c/{world.session_a.pk}/", "/c/999999/")
    client = client_for(_outsider(world))
    with time_machine.travel(at, tick=False):
        answers = [client.get(url), client.post(url, headers={"X-Cakap-Fetch": "1"})]
        blanks = [client.get(missing), client.post(missing, headers={"X-Cakap-Fetch": "1"})]
    for answer, blank in zip(answers, blanks, strict=True):
        assert answer.status_code == blank.status_code == 404
        assert answer.content == blank.content
        assert world.session_a.title not in answer.content.decode()
    assert not CheckInAttempt.objects.exists()


def test_a_participant_of_the_programme_s_other_group_is_refused_and_it_is_listed(world):
    at = at_minutes(world, 2)
    url = scan_url(world.session_a, at)
    client = client_for(world.other_participant)
    with time_machine.travel(at, tick=False):
        assert client.get(url).status_code == 200
        answer = client.post(url, headers={"X-Cakap-Fetch": "1"}).content.decode()
    assert 'data-reason="not_enrolled"' in answer and "result-sub" not in answer
    assert CheckInAttempt.objects.get().session == world.session_a
