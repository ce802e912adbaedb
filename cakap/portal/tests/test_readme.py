"""What the README tells a newcomer about the demo holds in the demo: every login and
NIP it names signs in with its password, and `seed_demo` prints the same, at the address
`make demo` serves."""

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from cakap.people.models import Person
from cakap.people.nip import format_nip
from cakap.portal import demo as portal_demo

README = (settings.BASE_DIR / "README.md").read_text()
MAKEFILE = (settings.BASE_DIR / "Makefile").read_text()
NIPS = re.findall(r"\b\d{8} \d{6} \d \d{3}\b|\b\d{18}\b", README)
EMAILS = set(re.findall(r"[\w.+-]+@cakap\.demo", README))


@pytest.fixture
def printed(db) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _signs_in(identifier: str) -> bool:
    client = Client()
    client.post("/login/", {"username": identifier, "password": portal_demo.DEMO_PASSWORD})
    return "_auth_user_id" in client.session


def test_the_readme_names_each_demo_login_and_its_password():
    assert {login.identifier for login in portal_demo.logins()} == EMAILS
    assert f"`{portal_demo.DEMO_PASSWORD}`" in README


def test_every_login_the_readme_names_signs_in_to_the_demo(printed):
    for email in EMAILS:
        assert email in printed
        assert _signs_in(email), email


def test_the_nip_the_readme_names_signs_in_with_or_without_spaces(printed):
    assert NIPS, "the README shows how to sign in with a NIP"
    for nip in NIPS:
        digits = nip.replace(" ", "")
        person = Person.objects.filter(nip=digits, user__isnull=False).first()
        assert person is not None, f"the README's NIP {nip} is no demo login"
        assert format_nip(digits) in printed
        assert _signs_in(format_nip(digits)), nip
        assert _signs_in(digits), nip


def test_the_address_the_readme_gives_is_the_one_make_demo_serves():
    host = re.search(r"^HOST \?= (\S+)$", MAKEFILE, re.M)
    port = re.search(r"^PORT \?= (\d+)$", MAKEFILE, re.M)
    assert host and port
    assert f"<http://{host[1]}:{port[1]}/>" in README
