"""Text in the address (search boxes, filters, path parts) follows the text rule: a NUL,
which PostgreSQL cannot compare, is answered with a clear message and changes nothing."""

import pytest

from conftest import client_for, in_english

SEARCHES = [
    ("/people/", "q"),
    ("/people/tokens/", "q"),
    ("/programmes/", "status"),
    ("/audit/", "actor"),
    ("/audit/", "object_type"),
]


@pytest.mark.parametrize(("path", "param"), SEARCHES)
def test_a_nul_in_a_search_box_is_refused_with_a_message(world, path, param):
    client = in_english(client_for(world.admin))
    response = client.get(path, {param: "ab\x00c"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_path_part_is_refused(world):
    client = client_for(world.participant)
    response = client.get(f"/attendance/c/{world.session_a.pk}/AB%00CD/")
    assert response.status_code == 400


def test_other_control_characters_in_a_search_are_harmless(world):
    response = client_for(world.admin).get("/people/", {"q": "Part\x01icipant"})
    assert response.status_code == 200


def test_a_nul_in_an_api_query_answers_422_naming_the_parameter(world):
    response = client_for(world.admin).get("/api/v1/people/", {"q": "a\x00"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == "q"
