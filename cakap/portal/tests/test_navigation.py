"""The header's links: each one a signed-in user is shown opens a page."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from conftest import client_for

CARD = reverse("attendance:my-card")


def _nav_links(html: str) -> list[str]:
    (nav,) = re.findall(r'<nav class="nav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("persona", ["admin", "leader_other"])
def test_a_login_without_a_person_is_not_offered_a_card(world, persona):
    client = client_for(getattr(world, persona))
    links = _nav_links(client.get("/programmes/").content.decode())
    assert CARD not in links
    assert client.get(CARD).status_code == 404


@pytest.mark.parametrize("persona", ["participant", "coach", "organiser", "leader"])
def test_a_person_is_offered_their_card_and_it_opens(world, persona):
    client = client_for(getattr(world, persona))
    links = _nav_links(client.get("/programmes/").content.decode())
    assert CARD in links
    assert client.get(CARD).status_code == 200


@pytest.mark.parametrize("persona", ["admin", "organiser", "coach", "participant", "leader"])
def test_every_header_link_opens(world, persona):
    client = client_for(getattr(world, persona))
    for href in _nav_links(client.get("/programmes/").content.decode()):
        assert client.get(href, follow=True).status_code == 200, href


def test_pages_name_an_icon_that_exists_so_browsers_do_not_ask_for_favicon_ico(world):
    html = client_for(None).get("/login/").content.decode()
    (href,) = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert href.startswith(settings.STATIC_URL)
    assert finders.find(href.removeprefix(settings.STATIC_URL)) is not None


def test_the_typed_code_page_offers_a_card_only_to_a_person(world):
    admin = client_for(world.admin).get("/attendance/checkin/").content.decode()
    participant = client_for(world.participant).get("/attendance/checkin/").content.decode()
    assert f'href="{CARD}"' not in admin
    assert f'href="{CARD}"' in participant
