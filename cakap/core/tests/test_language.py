"""Pages speak Indonesian unless the person chose English with the language switch; a
browser or phone set to English does not choose for them. The API answers in the
language of Accept-Language (an integration chooses), Indonesian without it."""

import pytest
from django.conf import settings
from django.test import Client

from conftest import client_for

pytestmark = pytest.mark.django_db


def _lang(response):
    return response.content.decode().split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_page_is_indonesian_for_a_browser_set_to_english():
    page = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert _lang(page) == "id" and "Masuk" in page.content.decode()


def test_the_language_switch_chooses_english_and_back(world):
    client = client_for(world.participant)
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert _lang(switched) == "en"
    assert _lang(client.get("/", follow=True)) == "en"
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert _lang(client.get("/", follow=True, HTTP_ACCEPT_LANGUAGE="en")) == "id"


def test_an_unknown_language_in_the_cookie_falls_back_to_indonesian():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert _lang(client.get("/login/")) == "id"


def test_the_api_answers_in_the_language_asked_for():
    english = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    indonesian = Client().get("/api/v1/me")
    assert english.status_code == indonesian.status_code == 401
    assert english.json()["message"] != indonesian.json()["message"]
