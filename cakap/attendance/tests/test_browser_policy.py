"""The organiser's check-in rules page in a phone's browser: "use this device's position"
fills the venue point, says why when the browser refuses, and the point is saved."""

from decimal import Decimal

import pytest

from cakap.attendance.models import AttendancePolicy
from conftest import PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _phone(browser, live_server, **options):
    context = browser.new_context(
        viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta", **options
    )
    page = context.new_page()
    page.base = live_server.url
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and page.errors.append(m.text)
        ),
    )
    return context, page


def test_the_devices_position_becomes_the_programmes_venue_point(world, browser, live_server):
    context, page = _phone(
        browser,
        live_server,
        geolocation={"latitude": -1.4567891, "longitude": 101.2345678, "accuracy": 12},
        permissions=["geolocation"],
    )
    try:
        login_in_browser(page, "organiser@example.test")
        page.goto(f"{page.base}/attendance/programmes/{world.programme.pk}/policy/")
        assert page.locator("#map-link").is_hidden()
        page.click("#use-position")
        page.wait_for_function("document.getElementById('id_latitude').value !== ''")
        assert page.input_value("#id_latitude") == "-1.456789"
        assert page.input_value("#id_longitude") == "101.234568"
        assert "sekitar 12 m" in page.text_content("#position-msg")
        href = page.get_attribute("#map-link", "href")
        assert href.startswith("https://www.openstreetmap.org/?mlat=-1.456789&mlon=101.234568")
        page.check("input[name=location_mode][value=required]")
        page.click("form.policy-form button[type=submit]")
        page.wait_for_url(f"**/programmes/{world.programme.pk}/")
        assert page.errors == []
    finally:
        context.close()
    policy = AttendancePolicy.objects.get(programme=world.programme)
    assert policy.location_mode == "required"
    assert (policy.latitude, policy.longitude) == (Decimal("-1.456789"), Decimal("101.234568"))


def test_a_refused_position_is_said_plainly_and_the_fields_stay_empty(world, browser, live_server):
    context, page = _phone(browser, live_server)  # no permission: the browser refuses
    try:
        login_in_browser(page, "organiser@example.test")
        page.goto(f"{page.base}/attendance/programmes/{world.programme.pk}/policy/")
        page.click("#use-position")
        page.wait_for_function("document.getElementById('position-msg').textContent !== ''")
        page.wait_for_function(
            "!document.getElementById('position-msg').textContent.startsWith('Mencari')"
        )
        assert "menolak membagikan posisinya" in page.text_content("#position-msg")
        assert page.input_value("#id_latitude") == ""
        assert page.errors == []
    finally:
        context.close()
