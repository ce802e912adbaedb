"""axe-core finds no serious or critical violation on the participant's and the coach's
pages (home, check-in, roll, programme, calendar), on a phone and on a desktop."""

import pytest

from cakap.core.tests.axe import describe, violations
from conftest import DESKTOP, PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def participant_pages(world):
    p, g = world.programme.pk, world.group_a.pk
    return [
        "/programmes/my-schedule/",
        "/attendance/checkin/",
        "/attendance/card/",
        "/attendance/my/",
        f"/programmes/{p}/",
        f"/programmes/groups/{g}/",
        f"/programmes/{p}/calendar/",
        f"/programmes/{p}/calendar/week/",
        f"/programmes/sessions/{world.session_a.pk}/",
    ]


def coach_pages(world):
    p, s = world.programme.pk, world.session_a.pk
    return [
        "/programmes/my-schedule/",
        f"/attendance/sessions/{s}/checkin/",
        f"/attendance/sessions/{s}/roll/",
        f"/programmes/{p}/",
        f"/programmes/groups/{world.group_a.pk}/",
        f"/programmes/{p}/calendar/",
        f"/programmes/{p}/calendar/week/",
        f"/programmes/sessions/{s}/",
    ]


def _check(page, paths):
    found = {}
    for path in paths:
        page.goto(f"{page.base}{path}")
        page.wait_for_load_state("networkidle")
        assert "/login/" not in page.url, path
        problems = violations(page)
        if problems:
            found[path] = describe(problems)
    return found


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_participants_pages_have_no_serious_accessibility_violation(
    world, browser_page, viewport
):
    browser_page.set_viewport_size(VIEWPORTS[viewport])
    login_in_browser(browser_page, "participant@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    found = _check(browser_page, participant_pages(world))
    assert found == {}, "\n".join(f"{path}\n{text}" for path, text in found.items())


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_the_coachs_pages_have_no_serious_accessibility_violation(world, browser_page, viewport):
    browser_page.set_viewport_size(VIEWPORTS[viewport])
    login_in_browser(browser_page, "coach@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    found = _check(browser_page, coach_pages(world))
    assert found == {}, "\n".join(f"{path}\n{text}" for path, text in found.items())


def test_the_check_finds_a_serious_violation_when_there_is_one(world, browser_page):
    """The check can fail: an image without a text alternative is a critical violation."""
    login_in_browser(browser_page, "participant@example.test")
    browser_page.wait_for_url("**/programmes/my-schedule/")
    browser_page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/none.png';"
        " document.querySelector('main').append(i); }"
    )
    assert [v["id"] for v in violations(browser_page)] == ["image-alt"]
