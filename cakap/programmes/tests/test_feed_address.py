"""The calendar address on "My schedule" is the address Cakap is reached at, whatever
port the demo runs on or the proxy in front of it: a phone that subscribes to it gets
the feed."""

import re

from conftest import client_for


def _addresses(response) -> tuple[str, str]:
    html = response.content.decode()
    (feed,) = re.findall(r'id="feed-url"[^>]*value="([^"]*)"', html)
    (webcal,) = re.findall(r'href="(webcal://[^"]*)"', html)
    return feed, webcal


def test_the_feed_address_follows_the_port_the_demo_is_served_at(world, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "http://127.0.0.1:8000"  # the default `make demo PORT=8123` kept
    client = client_for(world.participant)
    response = client.get("/programmes/my-schedule/", HTTP_HOST="127.0.0.1:8123")
    feed, webcal = _addresses(response)
    path = f"/programmes/feed/{world.participant.feed_token}.ics"
    assert feed == f"http://127.0.0.1:8123{path}"
    assert webcal == f"webcal://127.0.0.1:8123{path}"
    answer = client_for(None).get(path, HTTP_HOST="127.0.0.1:8123")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")


def test_behind_a_tls_proxy_the_feed_address_is_https_on_the_public_name(world, settings):
    settings.ALLOWED_HOSTS = ["cakap.example.go.id"]
    settings.SITE_URL = "http://127.0.0.1:8000"
    response = client_for(world.coach).get(
        "/programmes/my-schedule/",
        HTTP_HOST="cakap.example.go.id",
        HTTP_X_FORWARDED_PROTO="https",
    )
    feed, webcal = _addresses(response)
    path = f"/programmes/feed/{world.coach.feed_token}.ics"
    assert feed == f"https://cakap.example.go.id{path}"
    assert webcal == f"webcal://cakap.example.go.id{path}"


def test_a_new_address_is_shown_at_once_and_the_old_one_stops(world):
    client = client_for(world.participant)
    old, _ = _addresses(client.get("/programmes/my-schedule/"))
    client.post("/programmes/feed/regenerate/")
    new, _ = _addresses(client.get("/programmes/my-schedule/"))
    assert new != old
    world.participant.refresh_from_db()
    assert new.endswith(f"/programmes/feed/{world.participant.feed_token}.ics")
    assert client_for(None).get(old.removeprefix("http://testserver")).status_code == 404
