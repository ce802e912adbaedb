"""The password-reset mail speaks as Cakap (decision 93): its own subject and text, in
the language of the page it was asked from, with the site's address from CAKAP_SITE_URL
rather than the host the request came in on (Django's default: "127.0.0.1")."""

import pytest
from django.core import mail

from conftest import client_for, in_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://cakap.solselkab.go.id"


def _ask(client):
    response = client.post(
        "/password-reset/", {"email": "participant@example.test"}, HTTP_HOST="127.0.0.1"
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    return message


def test_the_reset_mail_is_cakaps_in_indonesian(world):
    message = _ask(client_for(None))
    assert message.subject == "Cakap: atur ulang kata sandi Anda"
    assert "login Cakap Anda (participant@example.test) di cakap.solselkab.go.id" in message.body
    assert "https://cakap.solselkab.go.id/password-reset/" in message.body
    assert "127.0.0.1" not in message.subject + message.body
    assert "Password reset on" not in message.subject


def test_the_reset_mail_is_in_english_when_english_was_chosen(world):
    message = _ask(in_english(client_for(None)))
    assert message.subject == "Cakap: reset your password"
    assert "your Cakap login (participant@example.test) at cakap.solselkab.go.id" in message.body
    assert "Cakap: coaching programmes for civil servants." in message.body
    assert "127.0.0.1" not in message.body
