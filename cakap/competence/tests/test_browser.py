"""In a real browser: a participant takes a pre-test on a phone, loses the page midway,
comes back and finishes; then the coach opens the group heatmap."""

import re

import pytest
from playwright.sync_api import expect

from cakap.competence.models import Answer, Attempt
from cakap.competence.tests.helpers import make_quiz
from conftest import DESKTOP, PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answers(n):
    """'3 answers' or '3 jawaban', whichever language the page speaks."""
    return re.compile(rf"\b{n} (answers?|jawaban)\b")


def _page(browser, live_server, viewport, problems):
    context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.base = live_server.url
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" else None,
    )
    return context, page


def test_participant_resumes_a_pre_test_on_a_phone_and_the_coach_sees_the_heatmap(
    world, literacy, browser, live_server
):
    quiz = make_quiz(world, literacy)
    take_url = f"{live_server.url}/competence/take/{quiz.pre.pk}/"
    problems: list[str] = []
    context, page = _page(browser, live_server, PHONE, problems)
    login_in_browser(page, "participant@example.test")
    page.wait_for_url("**/my-schedule/")
    page.goto(take_url)
    page.click("#start-attempt")
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(8)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for i in range(3):
        questions.nth(i).locator("label.choice").first.click()
        expect(page.locator("#save-status .saved")).to_contain_text(answers(i + 1))

    # The connection drops: the page says so, and catches up when it is back.
    context.set_offline(True)
    questions.nth(3).locator("label.choice").first.click()
    expect(page.locator("#save-status")).to_have_class("save-status offline")
    context.set_offline(False)
    expect(page.locator("#save-status .saved")).to_contain_text(answers(4))

    # Then the page is gone: nothing but the saved answers remain.
    page.close()
    attempt = Attempt.objects.get(person__user=world.participant)
    assert Answer.objects.filter(attempt=attempt).count() == 4

    page = context.new_page()
    page.goto(take_url)
    questions = page.locator("fieldset.question")
    expect(page.locator("input:checked")).to_have_count(4)
    for i in range(4):
        expect(questions.nth(i).locator("label.choice input").first).to_be_checked()
    for i in range(4, 8):
        questions.nth(i).locator("label.choice").first.click()
    expect(page.locator("#save-status .saved")).to_contain_text(answers(8))
    page.click("#submit-attempt")
    expect(page.locator("h1")).to_have_text("Kuis literasi digital")
    expect(page.locator("main .badge.ok")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert attempt.scores.count() == 4
    context.close()

    context, page = _page(browser, live_server, DESKTOP, problems)
    login_in_browser(page, "coach@example.test")
    page.wait_for_url("**/my-schedule/")
    page.goto(
        f"{live_server.url}/competence/instruments/{quiz.instrument.pk}"
        f"/groups/{world.group_a.pk}/heatmap/"
    )
    expect(page.locator("#heatmap")).to_contain_text("Participant")
    chart = page.locator("img.heatmap-chart")
    expect(chart).to_be_visible()
    assert page.evaluate("document.querySelector('img.heatmap-chart').naturalWidth") > 0
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p], problems
