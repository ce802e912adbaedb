"""Fixed personas shared by every test: one small regency with one programme.

organiser (BKPSDM, scope: the regency), coach (Diskominfo, coaches group A),
participant (group A), other_participant (group B), leader_other (head of a unit
with nobody in the programme), leader (head of the participant's unit), admin,
and the anonymous client.
"""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.utils import timezone

from cakap.core.formatting import JAKARTA
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.models import Enrolment, Group, Module, Programme, Session

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


@dataclass
class World:
    regency: Unit
    bkpsdm: Unit
    diskominfo: Unit
    dinkes: Unit
    kecamatan: Unit
    admin: User
    organiser: User
    coach: User
    participant: User
    other_participant: User
    leader: User
    leader_other: User
    programme: Programme
    group_a: Group
    group_b: Group
    session_a: Session
    session_b: Session


def _person(nip: str, name: str, unit: Unit, email: str | None = None) -> Person:
    user = User.objects.create_user(email=email, password=PASSWORD) if email else None
    return Person.objects.create(nip=nip, name=name, unit=unit, user=user, email=email or "")


@pytest.fixture(autouse=True)
def _no_login_lockout(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counters kept in the cache (wrong check-in codes, password-reset limits) start at
    zero in every test."""
    from django.core.cache import cache

    cache.clear()


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with the cheapest parameters: the same algorithm and hash format as
    production, without its deliberate slowness in every fixture."""

    time_cost = 1
    memory_cost = 8
    parallelism = 1


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    return make_world()


def make_world() -> World:
    """The personas and their programme; `world` for one test, the scope sweep for a
    whole module (cakap/core/tests/sweep_world.py)."""
    regency = Unit.objects.create(name="Kabupaten Contoh", kind=Unit.Kind.REGENCY)
    bkpsdm = Unit.objects.create(name="BKPSDM", parent=regency, kind=Unit.Kind.BADAN)
    diskominfo = Unit.objects.create(name="Diskominfo", parent=regency, kind=Unit.Kind.DINAS)
    dinkes = Unit.objects.create(name="Dinas Kesehatan", parent=regency, kind=Unit.Kind.DINAS)
    kecamatan = Unit.objects.create(name="Kecamatan Satu", parent=regency, kind=Unit.Kind.KECAMATAN)
    admin = User.objects.create_superuser(email="admin@example.test", password=PASSWORD)
    organiser = _person("197001012000031001", "Organiser", bkpsdm, "organiser@example.test").user
    coach_p = _person("198502022010011002", "Coach", diskominfo, "coach@example.test")
    part_p = _person("196803032000121003", "Participant", dinkes, "participant@example.test")
    other_p = _person("197204042001022004", "Other", kecamatan, "other@example.test")
    leader = _person("196505051990031005", "Leader", dinkes, "leader@example.test").user
    leader_other = User.objects.create_user(email="leader-other@example.test", password=PASSWORD)
    assert organiser and leader
    RoleAssignment.objects.create(user=organiser, role="organiser", unit=regency)
    RoleAssignment.objects.create(user=leader, role="leader", unit=dinkes)
    RoleAssignment.objects.create(user=leader_other, role="leader", unit=bkpsdm)
    today = timezone.localdate()
    programme = Programme.objects.create(
        title="Coaching Clinic",
        organiser_unit=bkpsdm,
        coaching_unit=diskominfo,
        start_date=today - datetime.timedelta(days=7),
        end_date=today + datetime.timedelta(days=21),
        status=Programme.Status.RUNNING,
        target_sessions=12,
    )
    module = Module.objects.create(programme=programme, order=1, title="Email")
    group_a = Group.objects.create(programme=programme, name="A")
    group_b = Group.objects.create(programme=programme, name="B")
    group_a.coaches.add(coach_p)
    Enrolment.objects.create(programme=programme, group=group_a, person=part_p)
    Enrolment.objects.create(programme=programme, group=group_b, person=other_p)
    # 09:00 WIB today: tests about windows and lateness travel in time around it; a test
    # that needs an upcoming session whatever the hour moves one (`upcoming`).
    start = datetime.datetime.combine(today, datetime.time(9, 0), tzinfo=JAKARTA)
    session_a = Session.objects.create(
        group=group_a,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        module=module,
        coach=coach_p,
        venue="Ruang Rapat",
    )
    session_b = Session.objects.create(
        group=group_b,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        module=module,
        venue="Aula",
    )
    assert coach_p.user and part_p.user and other_p.user
    return World(
        regency,
        bkpsdm,
        diskominfo,
        dinkes,
        kecamatan,
        admin,
        organiser,
        coach_p.user,
        part_p.user,
        other_p.user,
        leader,
        leader_other,
        programme,
        group_a,
        group_b,
        session_a,
        session_b,
    )


def upcoming(session: Session, hours: int = 2) -> Session:
    """Move `session` to start `hours` from now, for tests that run at any hour."""
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(hours=hours)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + (session.ends_at - session.starts_at)
    )
    session.refresh_from_db()
    return session


def in_english(client: Client) -> Client:
    """`client` with English chosen on the language switch: pages do not follow the
    browser's language (core/middleware.py)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for


# --- Browser tests ------------------------------------------------------------------------
# Headless Chromium from Debian's package, driven by Playwright. Where it is missing the
# tests skip and say how to enable them; CI sets CAKAP_REQUIRE_BROWSER=1 so they never skip.

CHROMIUM = os.environ.get("CAKAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = (
            f"Browser tests need Chromium at {CHROMIUM}: install Debian's package "
            "(apt-get install chromium) or set CAKAP_CHROMIUM to its path."
        )
        if os.environ.get("CAKAP_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests
    # make around it are still plain synchronous calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(browser, live_server):
    """A desktop-sized page; `browser_page.base` is the live server's URL."""
    context = browser.new_context(viewport=DESKTOP, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def login_in_browser(page, identifier: str, password: str = PASSWORD) -> None:
    page.goto(f"{page.base}/login/")
    page.fill("input[name=username]", identifier)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
