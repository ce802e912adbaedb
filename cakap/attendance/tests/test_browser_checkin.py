"""Two browsers: the coach's check-in screen on a laptop, a participant's phone opening
the QR link. The participant is checked in, and the coach's live roll shows it without
a reload."""

import datetime

import pytest
from django.utils import timezone

from cakap.attendance.models import AttendancePolicy
from cakap.people.models import Person
from cakap.programmes.models import Session
from conftest import DESKTOP, PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _context(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.base = live_server.url
    page.errors = []
    # Console errors (script errors, CSP refusals) and failed loads; the browser's own
    # favicon request is not ours to answer.
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and page.errors.append(m.text)
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and page.errors.append(f"{r.status} {r.url}")
        ),
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


def test_participant_scans_and_the_coach_sees_it_live(world, browser, live_server):
    start = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(pk=world.session_a.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    person = Person.objects.get(user=world.participant)
    coach_ctx, coach = _context(browser, live_server, DESKTOP)
    phone_ctx, phone = _context(browser, live_server, PHONE)
    try:
        login_in_browser(coach, "coach@example.test")
        coach.wait_for_url("**/programmes/my-schedule/")
        coach.goto(f"{live_server.url}/attendance/sessions/{world.session_a.pk}/checkin/")
        missing = coach.locator(f'#roll .roll-missing[data-person="{person.pk}"]')
        missing.wait_for()
        link = coach.locator("#code-panel a.qr-big").get_attribute("href")
        assert link and f"/attendance/c/{world.session_a.pk}/" in link

        login_in_browser(phone, "participant@example.test")
        phone.wait_for_url("**/programmes/my-schedule/")
        phone.goto(link)
        result = phone.locator("#result [data-outcome]")
        result.wait_for(timeout=15000)
        assert result.get_attribute("data-outcome") == "hadir"
        assert "WIB" in result.inner_text()

        # The coach's page was never reloaded: htmx polling brings the participant in.
        coach.locator(f'#roll .roll-in[data-person="{person.pk}"]').wait_for(timeout=15000)
        assert coach.locator("#roll-in").inner_text() == "1"
        assert phone.errors == [] and coach.errors == []  # no script error, no CSP refusal
    finally:
        phone_ctx.close()
        coach_ctx.close()


def test_the_coach_screen_rotates_its_code_by_itself(world, browser, live_server):
    AttendancePolicy.objects.create(programme=world.programme, code_period_s=5, code_grace_s=5)
    context, coach = _context(browser, live_server, DESKTOP)
    try:
        login_in_browser(coach, "coach@example.test")
        coach.wait_for_url("**/programmes/my-schedule/")
        coach.goto(f"{live_server.url}/attendance/sessions/{world.session_a.pk}/checkin/")
        first = coach.locator("#typed-code").inner_text()
        coach.wait_for_function(
            "code => document.getElementById('typed-code').textContent !== code",
            arg=first,
            timeout=15000,
        )
        assert coach.locator("#code-panel a.qr-big").get_attribute("href").count("/") >= 6
        assert coach.errors == []
    finally:
        context.close()


def test_a_dropped_connection_is_said_plainly_and_retried(world, browser, live_server):
    start = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(pk=world.session_a.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    from cakap.attendance.codes import current_code
    from cakap.attendance.windows import policy_for

    session = Session.objects.select_related("group__programme").get(pk=world.session_a.pk)
    code = current_code(session, policy_for(session.group.programme), timezone.now()).code
    context, phone = _context(browser, live_server, PHONE)
    dropped: list[str] = []

    def flaky(route):
        if route.request.method == "POST" and len(dropped) < 2:
            dropped.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    try:
        login_in_browser(phone, "participant@example.test")
        phone.wait_for_url("**/programmes/my-schedule/")
        phone.route("**/attendance/c/**", flaky)
        phone.goto(f"{live_server.url}/attendance/c/{session.pk}/{code}/")
        net = phone.locator("#net")
        net.wait_for(state="visible", timeout=10000)
        assert "WIB" in net.inner_text()
        result = phone.locator("#result [data-outcome]")
        result.wait_for(timeout=20000)
        assert result.get_attribute("data-outcome") == "hadir"
        assert net.is_hidden() and len(dropped) == 2
    finally:
        context.close()


@pytest.mark.parametrize(("share", "outcome"), [(True, "hadir"), (False, "refused")])
def test_location_is_asked_and_checked_on_the_phone(world, browser, live_server, share, outcome):
    from decimal import Decimal

    from cakap.attendance.codes import current_code
    from cakap.attendance.models import SessionVenue
    from cakap.attendance.windows import policy_for

    start = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(pk=world.session_a.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    AttendancePolicy.objects.create(programme=world.programme, location_mode="required")
    SessionVenue.objects.create(
        session=world.session_a, latitude=Decimal("-1.43"), longitude=Decimal("101.48")
    )
    session = Session.objects.select_related("group__programme").get(pk=world.session_a.pk)
    code = current_code(session, policy_for(session.group.programme), timezone.now()).code
    options = {"geolocation": {"latitude": -1.4301, "longitude": 101.4801, "accuracy": 15}}
    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        permissions=["geolocation"] if share else [],
        **(options if share else {}),
    )
    phone = context.new_page()
    phone.base = live_server.url
    try:
        login_in_browser(phone, "participant@example.test")
        phone.wait_for_url("**/programmes/my-schedule/")
        phone.goto(f"{live_server.url}/attendance/c/{session.pk}/{code}/")
        result = phone.locator("#result [data-outcome]")
        result.wait_for(timeout=25000)
        assert result.get_attribute("data-outcome") == outcome
        if not share:
            assert result.get_attribute("data-reason") == "location_required"
    finally:
        context.close()
