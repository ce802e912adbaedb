"""Bulk enrolment on a phone-sized screen in a real browser: the filters fold away, the
checkboxes are large enough to tap, "tick everyone" and the count on the button work,
and one submit enrols the ticked people; pasted NIPs are previewed, then confirmed."""

import pytest

from cakap.people.models import Person
from cakap.programmes.models import Enrolment
from conftest import PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def test_an_organiser_ticks_and_enrols_many_on_a_phone(world, phone):
    people = [
        Person.objects.create(
            nip=f"19800101200501{1000 + i + 1}", name=f"Peserta {i}", unit=world.dinkes
        )
        for i in range(4)
    ]
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    login_in_browser(phone, "organiser@example.test")
    phone.wait_for_url("**/programmes/my-schedule/")
    phone.goto(f"{phone.base}/programmes/groups/{world.group_a.pk}/enrol/many/?q=Peserta")

    assert phone.locator("details.filters-box").get_attribute("open") is None
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rows = phone.locator("label.pick")
    assert rows.count() == 4
    assert all(rows.nth(i).bounding_box()["height"] >= 44 for i in range(4))

    phone.check("input[data-all]")
    assert phone.locator("[data-count]").inner_text() == "4"
    rows.nth(3).click()  # tapping the row, not the small box, unticks it
    assert phone.locator("[data-count]").inner_text() == "3"
    phone.click("button[value=selected]")
    phone.wait_for_selector(".summary-counts")

    enrolled = set(
        Enrolment.objects.active().filter(group=world.group_a).values_list("person_id", flat=True)
    )
    assert {p.pk for p in people[:3]} <= enrolled
    assert people[3].pk not in enrolled
    assert errors == []


def test_pasted_nips_are_previewed_then_confirmed(world, phone):
    person = Person.objects.create(nip="198001012005011001", name="Rina Tempel", unit=world.dinkes)
    login_in_browser(phone, "organiser@example.test")
    phone.wait_for_url("**/programmes/my-schedule/")
    phone.goto(f"{phone.base}/programmes/groups/{world.group_a.pk}/enrol/paste/")
    phone.fill("textarea[name=nips]", "19800101 200501 1 001\n12345")
    phone.click("button[value=preview]")
    phone.wait_for_selector("#preview-h")
    assert not Enrolment.objects.filter(person=person).exists()
    assert phone.locator("tr.row-bad").count() == 1
    phone.locator("button[value=confirm]").first.click()
    phone.wait_for_selector(".summary-counts")
    assert Enrolment.objects.active().get(person=person).group == world.group_a
