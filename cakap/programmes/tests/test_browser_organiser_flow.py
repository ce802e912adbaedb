"""The foundation's story in a real browser: an organiser imports a roster, creates a
programme and a group, generates and confirms its schedule, and sees it on the calendar."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from cakap.people.models import Person
from cakap.programmes.models import Group, Programme, Session
from conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROSTER = Path(__file__).resolve().parents[2] / "people" / "tests" / "data" / "roster_utf8_bom.csv"


def _next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def test_organiser_imports_plans_and_sees_the_calendar(world, browser_page):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    people_before = Person.objects.count()
    login_in_browser(page, "organiser@example.test")
    page.wait_for_url("**/programmes/my-schedule/")

    # 1. Roster: preview first, nothing saved; confirm saves.
    page.goto(f"{page.base}/people/import/")
    page.set_input_files("input[type=file]", str(ROSTER))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    confirm = "form[action$='/people/import/confirm/'] button[type=submit]"
    page.wait_for_selector(confirm)
    assert Person.objects.count() == people_before
    page.click(confirm)
    page.wait_for_load_state()
    assert Person.objects.count() > people_before

    # 2. A programme, then a group with a coach.
    page.goto(f"{page.base}/programmes/new/")
    start = _next_monday()
    page.fill("input[name=title]", "Klinik Digital Angkatan II")
    page.select_option("select[name=organiser_unit]", str(world.bkpsdm.pk))
    page.select_option("select[name=coaching_unit]", str(world.diskominfo.pk))
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=end_date]", (start + datetime.timedelta(days=30)).isoformat())
    page.select_option("select[name=status]", "running")
    page.fill("input[name=target_sessions]", "12")
    page.click("main button[type=submit]")
    page.wait_for_url("**/programmes/*/")
    programme = Programme.objects.get(title="Klinik Digital Angkatan II")

    page.goto(f"{page.base}/programmes/{programme.pk}/groups/new/")
    page.fill("input[name=name]", "A")
    page.select_option("select[name=coaches]", str(world.coach.person.pk))
    page.click("main button[type=submit]")
    page.wait_for_url("**/groups/*/")
    group = Group.objects.get(programme=programme, name="A")

    # 3. Schedule: preview lists the sessions, confirm creates them.
    page.goto(f"{page.base}/programmes/{programme.pk}/schedule/generate/")
    page.select_option("select[name=group]", str(group.pk))
    page.fill("input[name=start_date]", start.isoformat())
    for day in ("0", "2", "4"):
        page.check(f"input[name=weekdays][value='{day}']")
    page.fill("input[name=count]", "12")
    page.fill("input[name=venue]", "Ruang Rapat Diskominfo")
    page.click("button[value=preview]")
    page.wait_for_selector("button[value=confirm]")
    assert not Session.objects.filter(group=group).exists()
    page.click("button[value=confirm]")
    page.wait_for_url("**/calendar/?month=*")
    assert Session.objects.filter(group=group).count() == 12

    # 4. The calendar shows them.
    assert page.locator(".cal .ev").count() >= 1
    assert errors == []
