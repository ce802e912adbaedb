"""The check-in page on a phone while the database restarts: the server answers 503
with Retry-After, the page says so plainly, waits at least that long and records the
check-in by itself."""

import datetime
import time

import pytest
from django.utils import timezone

from cakap.attendance.codes import current_code
from cakap.attendance.models import AttendanceRecord
from cakap.attendance.tests.test_browser_checkin import _context
from cakap.attendance.windows import policy_for
from cakap.programmes.models import Session
from conftest import PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_503_is_waited_out_as_told_and_the_check_in_recorded(world, browser, live_server):
    start = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(pk=world.session_a.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    session = Session.objects.select_related("group__programme").get(pk=world.session_a.pk)
    code = current_code(session, policy_for(session.group.programme), timezone.now()).code
    context, phone = _context(browser, live_server, PHONE)
    posts: list[float] = []

    def restarting(route):
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(time.monotonic())
        if len(posts) == 1:  # the first try meets the database restarting
            route.fulfill(
                status=503,
                headers={"Retry-After": "3", "Content-Type": "text/plain"},
                body="unavailable",
            )
        else:
            route.continue_()

    try:
        login_in_browser(phone, "participant@example.test")
        phone.wait_for_url("**/programmes/my-schedule/")
        phone.route("**/attendance/c/**", restarting)
        phone.goto(f"{live_server.url}/attendance/c/{session.pk}/{code}/")
        net = phone.locator("#net")
        net.wait_for(state="visible", timeout=10000)
        assert net.inner_text().strip()  # the page says it is waiting, in words
        assert not AttendanceRecord.objects.filter(session=session).exists()
        result = phone.locator("#result [data-outcome]")
        result.wait_for(timeout=20000)
        assert result.get_attribute("data-outcome") == "hadir"
        assert net.is_hidden()
        assert len(posts) == 2
        # Retry-After said three seconds; the page's own backoff starts at one.
        assert posts[1] - posts[0] >= 2.9
        assert AttendanceRecord.objects.filter(session=session, status="hadir").count() == 1
    finally:
        context.close()
