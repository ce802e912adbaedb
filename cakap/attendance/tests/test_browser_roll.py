"""The manual roll on a phone: one row per person, one tap per status (saved at once with
htmx), a reason only for izin, sakit and dinas luar, and the whole roll saved without
JavaScript too."""

import datetime

import pytest
from django.utils import timezone

from cakap.attendance.models import AttendanceRecord, Status
from cakap.attendance.tests.roll_support import add_participants
from cakap.programmes.models import Session
from conftest import PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _started(session: Session) -> Session:
    """Session A began ten minutes ago, so that its window is open whatever the hour."""
    start = timezone.now() - datetime.timedelta(minutes=10)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    session.refresh_from_db()
    return session


def _open_roll(page, world):
    page.set_viewport_size(PHONE)
    login_in_browser(page, "coach@example.test")
    page.wait_for_url("**/programmes/my-schedule/")
    page.goto(f"{page.base}/attendance/sessions/{world.session_a.pk}/roll/")


def _row(page, person):
    return page.locator(f"#roll-row-{person.pk}")


def test_a_roll_of_twelve_fits_a_phone_in_well_under_half_its_old_height(world, browser_page):
    add_participants(world, 11)
    _started(world.session_a)
    _open_roll(browser_page, world)
    rows = browser_page.locator(".roll-row")
    assert rows.count() == 12
    height = browser_page.locator(".roll-rows").bounding_box()["height"]
    # Each row was a full form of select, reason and file fields: 4,107 px for 12 people.
    assert height < 1900, height
    for box in browser_page.locator(".roll-row .seg").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    ):
        assert box >= 44
    assert browser_page.locator(".roll-why:visible").count() == 0


def test_one_tap_saves_a_status_and_a_reason_opens_only_for_an_excused_one(world, browser_page):
    others = add_participants(world, 2)
    _started(world.session_a)
    _open_roll(browser_page, world)
    first, second = others
    row = _row(browser_page, first)
    row.locator("label.seg-hadir").click()
    row = _row(browser_page, first)
    row.locator(".badge.ok").wait_for()
    assert AttendanceRecord.objects.get(person=first).status == Status.HADIR
    assert "Hadir: 1" in browser_page.locator("#roll-counts").inner_text()

    row = _row(browser_page, second)
    assert not row.locator(".roll-why").is_visible()
    row.locator("label.seg-sakit").click()
    assert row.locator(".roll-why").is_visible()
    assert not AttendanceRecord.objects.filter(person=second).exists()  # waits for a reason
    row.locator("input[name^=reason]").fill("Demam")
    row.locator(".roll-why button").click()
    _row(browser_page, second).locator(".badge.ok").wait_for()
    record = AttendanceRecord.objects.get(person=second)
    assert (record.status, record.reason) == (Status.SAKIT, "Demam")
    # A present row keeps its reason field closed.
    assert not _row(browser_page, first).locator(".roll-why").is_visible()


def test_the_roll_is_saved_whole_without_javascript(world, browser, live_server):
    others = add_participants(world, 2)
    _started(world.session_a)
    context = browser.new_context(viewport=PHONE, locale="id-ID", java_script_enabled=False)
    page = context.new_page()
    try:
        page.base = live_server.url
        _open_roll(page, world)
        _row(page, others[0]).locator("label.seg-terlambat").click()
        _row(page, others[1]).locator("label.seg-izin").click()
        _row(page, others[1]).locator("input[name^=reason]").fill("Rapat di kantor bupati")
        page.locator(".roll-save button").click()
        page.wait_for_load_state()
        assert "Tersimpan" in page.locator(".messages").inner_text()
    finally:
        context.close()
    statuses = dict(AttendanceRecord.objects.values_list("person_id", "status"))
    assert statuses == {others[0].pk: Status.TERLAMBAT, others[1].pk: Status.IZIN}
