"""The programme page's buttons lead each reader to a page they may open."""

import re

import pytest

from conftest import client_for


def _competence_button(html: str) -> tuple[str, str]:
    """The address and label of the programme page's competence button."""
    ((href, label),) = re.findall(
        r'<a class="btn secondary" href="(/competence/[^"]*)">([^<]*)<', html
    )
    return href, label


def test_participants_competence_button_opens_their_assessments(world):
    client = client_for(world.participant)
    page = client.get(f"/programmes/{world.programme.pk}/").content.decode()
    href, label = _competence_button(page)
    assert label == "Asesmen saya"
    response = client.get(href)
    assert response.status_code == 200
    assert response.templates[0].name == "competence/home.html"


@pytest.mark.parametrize("persona", ["organiser", "coach", "leader", "admin"])
def test_staff_competence_button_opens_the_programmes_competence_page(world, persona):
    client = client_for(getattr(world, persona))
    page = client.get(f"/programmes/{world.programme.pk}/").content.decode()
    href, label = _competence_button(page)
    assert (href, label) == (f"/competence/programmes/{world.programme.pk}/", "Kompetensi")
    assert client.get(href).status_code == 200
