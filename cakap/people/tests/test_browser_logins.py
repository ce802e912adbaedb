"""In a browser: an organiser without admin rights gives a new colleague a login and a
coach role from the person's page; the colleague opens the link on a phone, chooses a
password and is signed in; the link then no longer works."""

import pytest

from cakap.core.models import AuditEntry
from cakap.people.models import Person, RoleAssignment
from conftest import PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_organiser_gives_a_login_and_a_role_and_the_person_sets_a_password_on_a_phone(
    world, browser_page, browser
):
    person = Person.objects.create(
        nip="199001012015031004", name="Budi Santoso", unit=world.dinkes, phone="081234567890"
    )
    page = browser_page
    login_in_browser(page, "organiser@example.test")
    page.wait_for_url("**/programmes/my-schedule/")
    page.goto(f"{page.base}/people/{person.pk}/")
    page.click("text=Buat login")
    page.wait_for_url("**/people/logins/links/")
    link = page.locator("textarea.link-box").first.input_value()
    assert "/welcome/" in link
    whatsapp = page.locator("a[href^='https://wa.me/6281234567890']")
    assert whatsapp.count() == 1
    page.goto(f"{page.base}/people/{person.pk}/")
    page.select_option("select[name=role]", "coach")
    page.click("text=Beri peran")
    assert "sekarang Coach atas" in page.locator(".messages").inner_text()
    assert RoleAssignment.objects.filter(user__person=person, role="coach").exists()

    phone = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True)
    try:
        own = phone.new_page()
        own.goto(link)
        assert "Selamat datang di Cakap" in own.content()
        own.fill("input[name=new_password1]", "Budi-punya-sandi-7")
        own.fill("input[name=new_password2]", "Budi-punya-sandi-7")
        own.click("text=Simpan kata sandi dan masuk")
        own.wait_for_load_state()
        assert "Kata sandi Anda sudah diatur" in own.locator(".messages").inner_text()
        again = phone.new_page()
        again.goto(link)
        assert "Tautan ini sudah dipakai" in again.content()
    finally:
        phone.close()
    person.refresh_from_db()
    assert person.user is not None and person.user.check_password("Budi-punya-sandi-7")
    assert AuditEntry.objects.filter(action="user.password_set", actor=person.user).exists()
