import pytest

from conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_by_nip_lands_on_my_schedule(world, browser_page):
    login_in_browser(browser_page, "19680303 200012 1 003")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    assert browser_page.locator("h1").inner_text() in {"Jadwal saya", "My schedule"}
