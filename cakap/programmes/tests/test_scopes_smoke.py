import pytest

from conftest import client_for


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("organiser", True),
        ("coach", True),
        ("participant", True),
        ("other_participant", True),
        ("leader", True),
        ("leader_other", False),
        ("admin", True),
    ],
)
def test_programme_detail_is_scoped(world, persona, sees):
    response = client_for(getattr(world, persona)).get(f"/programmes/{world.programme.pk}/")
    assert response.status_code == (200 if sees else 404)


def test_anonymous_is_sent_to_login(world):
    response = client_for(None).get(f"/programmes/{world.programme.pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
