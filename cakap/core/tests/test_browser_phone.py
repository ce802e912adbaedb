"""The shared layout on a phone: the header folds into a menu (a <details>, no script),
and the targets people tap are at least 44 px each way; on a desktop the navigation
stays in the bar."""

import pytest

from conftest import DESKTOP, PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN = 44


def _sizes(page, selector):
    return page.locator(selector).evaluate_all(
        "els => els.filter(e => e.offsetParent !== null).map(e => {"
        " const r = e.getBoundingClientRect();"
        " return [e.textContent.trim(), Math.round(r.width), Math.round(r.height)]; })"
    )


def _too_small(sizes):
    return [s for s in sizes if s[1] < MIN or s[2] < MIN]


def test_the_organisers_header_folds_into_a_menu_on_a_phone(world, browser_page):
    browser_page.set_viewport_size(PHONE)
    login_in_browser(browser_page, "organiser@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    header = browser_page.locator("header.topbar")
    # It took a quarter of the screen (248 px of 844) with every link showing.
    assert header.bounding_box()["height"] <= 52
    assert not browser_page.locator(".nav a").first.is_visible()
    assert _too_small(_sizes(browser_page, ".lang button, .menu > summary, .brand")) == []
    browser_page.click(".menu > summary")
    links = _sizes(browser_page, ".nav a, .tools a, .tools button")
    assert len(links) >= 10
    assert _too_small(links) == []
    browser_page.click("text=Program")
    browser_page.wait_for_url("**/programmes/")


def test_the_navigation_stays_in_the_bar_on_a_desktop(world, browser_page):
    browser_page.set_viewport_size(DESKTOP)
    login_in_browser(browser_page, "organiser@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    assert not browser_page.locator(".menu > summary").is_visible()
    assert browser_page.locator(".nav a").first.is_visible()
    assert browser_page.locator(".tools button").is_visible()


def test_the_language_switch_works_from_a_phone(world, browser_page):
    browser_page.set_viewport_size(PHONE)
    login_in_browser(browser_page, "participant@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    browser_page.click(".lang button[value=en]")
    browser_page.wait_for_load_state()
    assert browser_page.locator("h1").inner_text() == "My schedule"


def test_links_people_tap_on_a_programme_and_its_calendar_are_44_px(world, browser_page):
    browser_page.set_viewport_size(PHONE)
    login_in_browser(browser_page, "organiser@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    browser_page.goto(f"{browser_page.base}/programmes/{world.programme.pk}/")
    # The groups' links ("A" was 11 px wide) and the modules' "Ubah".
    targets = _sizes(browser_page, "main td a, main li > a.small")
    assert [t[0] for t in targets if t[0] in ("A", "B")] == ["A", "B"]
    assert "Ubah" in [t[0] for t in targets]
    assert _too_small(targets) == []
    browser_page.goto(f"{browser_page.base}/programmes/{world.programme.pk}/calendar/")
    days = _sizes(browser_page, ".cal .num a")
    assert days and [d for d in days if d[2] < MIN] == []
    entry = browser_page.locator(f'.cal a.ev[href$="/sessions/{world.session_a.pk}/"]')
    assert entry.bounding_box()["height"] >= MIN
    entry.click()
    browser_page.wait_for_url(f"**/programmes/sessions/{world.session_a.pk}/")
