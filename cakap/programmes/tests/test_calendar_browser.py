"""The calendar pages in a real browser: phone layout, no CSP violations, generate and confirm."""

import os

import pytest

from cakap.programmes.models import Session
from conftest import PHONE, login_in_browser, upcoming

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CAKAP_SCREENSHOTS", "")


def _watch_console(page):
    """Console errors other than a missing resource (the favicon is not ours to serve)."""
    problems: list[str] = []

    def seen(msg):
        if msg.type == "error" and "Failed to load resource" not in msg.text:
            problems.append(msg.text)

    page.on("console", seen)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_my_schedule_collapses_the_month_grid_on_a_phone(world, browser_page):
    upcoming(world.session_a)
    problems = _watch_console(browser_page)
    browser_page.set_viewport_size(PHONE)
    login_in_browser(browser_page, "participant@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    assert browser_page.locator(".agenda li").count() >= 1
    assert not browser_page.locator(".cal .dow").first.is_visible()
    assert browser_page.locator(".cal .day.today").is_visible()
    feed = browser_page.locator("#feed-url").input_value()
    assert feed.endswith(f"/programmes/feed/{world.participant.feed_token}.ics")
    _shot(browser_page, "my-schedule-phone")
    assert problems == []


def test_organiser_generates_sessions_in_the_browser(world, browser_page):
    problems = _watch_console(browser_page)
    login_in_browser(browser_page, "organiser@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    browser_page.goto(f"{browser_page.base}/programmes/{world.programme.pk}/schedule/generate/")
    browser_page.select_option("select[name=group]", str(world.group_a.pk))
    for day in ("0", "2", "4"):
        browser_page.check(f"input[name=weekdays][value='{day}']")
    browser_page.fill("input[name=count]", "6")
    browser_page.fill("input[name=venue]", "Aula BKPSDM")
    browser_page.click("button[value=preview]")
    browser_page.wait_for_selector("button[value=confirm]")
    assert browser_page.locator("table.stack tbody tr").first.is_visible()
    _shot(browser_page, "generate-preview")
    browser_page.click("button[value=confirm]")
    browser_page.wait_for_url("**/calendar/?month=*")
    assert Session.objects.filter(group=world.group_a, venue="Aula BKPSDM").count() == 6
    assert browser_page.locator(".messages li").count() == 1
    _shot(browser_page, "calendar-month")
    assert problems == []
