"""The privacy notice: public, in Indonesian by default and in English, with the ages
the settings give, linked from every page's footer and from the login page."""

import pytest
from django.urls import reverse

from conftest import client_for, in_english

NOTICE = reverse("privacy:notice")


def test_the_notice_is_public_and_indonesian_by_default(db):
    response = client_for(None).get(NOTICE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cara Cakap menangani data pribadi" in page
    assert "bukan persetujuan" in page  # the public task, not consent
    assert "Lokasi saat presensi bersifat pilihan" in page
    assert "UU 27/2022" in page
    assert "How Cakap" not in page and "public task" not in page


def test_the_notice_in_english(db):
    page = in_english(client_for(None)).get(NOTICE).content.decode()
    assert "How Cakap handles personal data" in page
    assert "Your position at check-in is optional" in page


def test_the_notice_states_the_ages_of_the_settings(db, settings):
    settings.RETENTION_DAYS = {
        "people": 1234,
        "positions": 11,
        "device_ids": 22,
        "refused_check_ins": 33,
        "login_records": 1,
    }
    page = client_for(None).get(NOTICE).content.decode()
    for text in ("1234 hari", "11 hari", "22 hari", "33 hari", "1 hari"):
        assert text in page
    english = in_english(client_for(None)).get(NOTICE).content.decode()
    assert "1234 days" in english and "records: 1 day." in english


@pytest.mark.parametrize("path", [reverse("people:login"), NOTICE])
def test_the_notice_is_linked_from_the_footer_and_the_login_page(db, path):
    page = client_for(None).get(path).content.decode()
    assert f'href="{NOTICE}"' in page
    assert '<footer class="footer">' in page


def test_signed_in_pages_link_my_data(world):
    page = client_for(world.participant).get(reverse("programmes:my-schedule")).content.decode()
    assert f'href="{reverse("privacy:my-data")}"' in page
    assert f'href="{NOTICE}"' in page
    mine = client_for(world.participant).get(reverse("privacy:my-data")).content.decode()
    assert f'href="{reverse("privacy:my-data-export")}"' in mine
    assert "Unduh data saya (ZIP)" in mine


def test_only_administrators_have_the_read_log_in_their_navigation(world):
    log = reverse("privacy:read-log")
    assert log in client_for(world.admin).get(reverse("privacy:my-data")).content.decode()
    assert log not in client_for(world.organiser).get(reverse("privacy:my-data")).content.decode()
