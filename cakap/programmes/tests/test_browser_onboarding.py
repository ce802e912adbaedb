"""Issue 12's story in a real browser: an organiser with no admin rights onboards a cohort
from the product's own pages alone. They import a roster whose unit name the product does
not know and map it in the preview, enrol everyone into two groups in bulk (ticked from a
filtered list, and a pasted column of NIPs), give them logins and personal sign-in links,
grant a coach role, set the programme's check-in rules and venue point, and generate the
schedule; then the group's coach runs the first roll on a phone-sized screen."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cakap.attendance.models import AttendancePolicy, AttendanceRecord, PersonalLink, Status
from cakap.people.models import Person, RoleAssignment, UnitAlias
from cakap.programmes.models import Enrolment, Group, Programme, Session
from conftest import PHONE, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Six fictitious officials; "Dinkes" is a unit name the product does not know yet.
ROSTER = [
    ("198001012005011011", "Peserta Satu", "III/a", "Analis", "Dinkes"),
    ("198001012005011012", "Peserta Dua", "III/b", "Pengelola", "Dinkes"),
    ("198001012005011013", "Peserta Tiga", "III/c", "Analis", "Diskominfo"),
    ("198001012005011014", "Peserta Empat", "III/d", "Pranata", "Diskominfo"),
    ("198001012005011015", "Peserta Lima", "IV/a", "Kepala Seksi", "BKPSDM"),
    ("198001012005011016", "Peserta Enam", "IV/b", "Kepala Bidang", "BKPSDM"),
]


def _next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


def _roster_file(tmp_path):
    lines = ["NIP;Nama;Pangkat/Gol;Jabatan;Unit Kerja"]
    lines += [";".join(row) for row in ROSTER]
    lines += ["", "Mengetahui,", "Kepala BKPSDM"]  # a signature block under the table
    path = tmp_path / "peserta.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_an_organiser_onboards_a_cohort_and_a_coach_runs_the_first_roll(
    world, browser, browser_page, tmp_path
):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    assert not world.organiser.is_staff and not world.organiser.is_superuser
    login_in_browser(page, "organiser@example.test")
    page.wait_for_url("**/programmes/my-schedule/")

    # 1. A programme with two groups; group A is coached by the coach.
    start = _next_monday()
    page.goto(f"{page.base}/programmes/new/")
    page.fill("input[name=title]", "Klinik Digital Angkatan III")
    page.select_option("select[name=organiser_unit]", str(world.bkpsdm.pk))
    page.select_option("select[name=coaching_unit]", str(world.diskominfo.pk))
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=end_date]", (start + datetime.timedelta(days=30)).isoformat())
    page.select_option("select[name=status]", "running")
    page.fill("input[name=target_sessions]", "12")
    _submit(page, "main button[type=submit]")
    programme = Programme.objects.get(title="Klinik Digital Angkatan III")
    for name in ("A", "B"):
        page.goto(f"{page.base}/programmes/{programme.pk}/groups/new/")
        page.fill("input[name=name]", name)
        if name == "A":
            page.select_option("select[name=coaches]", str(world.coach.person.pk))
        _submit(page, "main button[type=submit]")
    group_a = Group.objects.get(programme=programme, name="A")
    group_b = Group.objects.get(programme=programme, name="B")

    # 2. The roster: "Dinkes" is unknown; the preview suggests Dinas Kesehatan, the
    #    organiser maps it once (kept as an alias), then confirms.
    page.goto(f"{page.base}/people/import/")
    page.set_input_files("input[type=file]", str(_roster_file(tmp_path)))
    _submit(page, "form[enctype='multipart/form-data'] button[type=submit]")
    assert "Dinkes" in page.locator("form.unit-mapping legend").first.inner_text()
    page.check(f"form.unit-mapping input[type=radio][value='{world.dinkes.pk}']")
    _submit(page, "form.unit-mapping button[type=submit]")
    assert UnitAlias.objects.filter(unit=world.dinkes).exists()
    assert not Person.objects.filter(nip=ROSTER[0][0]).exists()  # nothing before confirming
    _submit(page, "form.confirm-import button[type=submit]")
    people = list(Person.objects.filter(nip__in=[r[0] for r in ROSTER]).order_by("nip"))
    assert len(people) == 6  # the signature block was not taken for a person
    assert {p.unit_id for p in people[:2]} == {world.dinkes.pk}

    # 3. Enrolment in bulk: three ticked from a filtered list into A, three pasted into B.
    page.goto(f"{page.base}/programmes/groups/{group_a.pk}/enrol/many/?q=Peserta")
    for person in people[:3]:
        page.check(f"input[type=checkbox][value='{person.pk}']")
    _submit(page, "button[value=selected]")
    page.goto(f"{page.base}/programmes/groups/{group_b.pk}/enrol/paste/")
    page.fill("textarea[name=nips]", "\n".join(p.nip for p in people[3:]))
    _submit(page, "button[value=preview]")
    _submit(page, "button[value=confirm]")
    active = Enrolment.objects.active().filter(programme=programme)
    assert set(active.filter(group=group_a).values_list("person_id", flat=True)) == {
        p.pk for p in people[:3]
    }
    assert set(active.filter(group=group_b).values_list("person_id", flat=True)) == {
        p.pk for p in people[3:]
    }

    # 4. Logins for everyone listed, and personal sign-in links for the programme.
    page.goto(f"{page.base}/people/?q=Peserta")
    _submit(page, "#logins-form button[name=everyone]")
    assert page.locator("textarea.link-box").count() == 6
    assert all(p.user_id for p in Person.objects.filter(pk__in=[p.pk for p in people]))
    page.goto(f"{page.base}/attendance/programmes/{programme.pk}/links/")
    _submit(page, f"form[action$='/programmes/{programme.pk}/links/issue/'] button")
    assert PersonalLink.objects.filter(person__in=people).count() == 6

    # 5. A coach role for one of them, within the organiser's subtree.
    page.goto(f"{page.base}/people/{people[2].pk}/")
    page.select_option("select[name=role]", "coach")
    _submit(page, "text=Beri peran")
    assert RoleAssignment.objects.filter(user__person=people[2], role="coach").exists()

    # 6. The programme's check-in rules and venue point, on its own page.
    page.goto(f"{page.base}/attendance/programmes/{programme.pk}/policy/")
    page.fill("input[name=opens_before_min]", "20")
    page.fill("input[name=closes_after_min]", "45")
    page.fill("input[name=late_after_min]", "10")
    page.check("input[name=location_mode][value=record]")
    page.fill("input[name=latitude]", "-1.456789")
    page.fill("input[name=longitude]", "101.234568")
    page.fill("input[name=radius_m]", "150")
    _submit(page, "form.policy-form button[type=submit]")
    policy = AttendancePolicy.objects.get(programme=programme)
    assert (policy.location_mode, policy.latitude) == ("record", Decimal("-1.456789"))

    # 7. The schedule, previewed then confirmed, for group A.
    page.goto(f"{page.base}/programmes/{programme.pk}/schedule/generate/")
    page.select_option("select[name=group]", str(group_a.pk))
    page.fill("input[name=start_date]", start.isoformat())
    for day in ("0", "2", "4"):
        page.check(f"input[name=weekdays][value='{day}']")
    page.fill("input[name=count]", "12")
    page.fill("input[name=venue]", "Ruang Rapat Diskominfo")
    _submit(page, "button[value=preview]")
    assert not Session.objects.filter(group=group_a).exists()
    _submit(page, "button[value=confirm]")
    assert Session.objects.filter(group=group_a).count() == 12
    assert errors == []

    # 8. The coach runs the first roll on a phone. The first session is moved to have
    #    begun ten minutes ago, so that its window is open whatever the hour of the run.
    first = Session.objects.filter(group=group_a).order_by("starts_at").first()
    assert first is not None
    begun = timezone.now() - datetime.timedelta(minutes=10)
    Session.objects.filter(pk=first.pk).update(
        starts_at=begun, ends_at=begun + datetime.timedelta(hours=2)
    )
    phone = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta")
    try:
        coach = phone.new_page()
        coach.base = page.base
        coach.on("pageerror", lambda e: errors.append(str(e)))
        login_in_browser(coach, "coach@example.test")
        coach.wait_for_url("**/programmes/my-schedule/")
        coach.goto(f"{coach.base}/attendance/sessions/{first.pk}/roll/")
        assert coach.locator(".roll-row").count() == 3
        present, excused = people[0], people[1]
        coach.locator(f"#roll-row-{present.pk} label.seg-hadir").click()
        coach.locator(f"#roll-row-{present.pk} .badge.ok").wait_for()
        coach.locator(f"#roll-row-{excused.pk} label.seg-izin").click()
        coach.locator(f"#roll-row-{excused.pk} input[name^=reason]").fill("Rapat dinas")
        coach.locator(f"#roll-row-{excused.pk} .roll-why button").click()
        coach.locator(f"#roll-row-{excused.pk} .badge.ok").wait_for()
        assert coach.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        phone.close()
    records = {r.person_id: r for r in AttendanceRecord.objects.filter(session=first)}
    assert records[present.pk].status == Status.HADIR
    assert (records[excused.pk].status, records[excused.pk].reason) == (
        Status.IZIN,
        "Rapat dinas",
    )
    assert errors == []
