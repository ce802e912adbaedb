"""Every link a persona is shown leads somewhere: walking the site from the home page,
following each same-site link (one of each kind of address), nothing answers 404 or 500.

Found this way: the participant's "Kompetensi" button on a programme (404) and "Kartu
saya" in an administrator's header (404).
"""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import client_for

LINK = re.compile(r'<a\b[^>]*\bhref="([^"#]+)"')
SKIP = ("/admin/", "/static/", "/api/v1/docs")  # Django's admin; files; the API's own page
MOST_PAGES = 120


def _kind(path: str) -> str:
    """Addresses that differ only in ids or query values are one kind."""
    return re.sub(r"=[^&]*", "=", re.sub(r"\d+", "N", path))


def _walk(client) -> tuple[list[tuple[str, int, str]], int]:
    """(address, status, page that links to it) of every broken link, and the pages read."""
    queue, kinds, broken, read = deque([("/", "start")]), set(), [], 0
    while queue and read < MOST_PAGES:
        path, source = queue.popleft()
        if _kind(path) in kinds or path.startswith(SKIP):
            continue
        kinds.add(_kind(path))
        response = client.get(path, follow=True)
        read += 1
        if response.status_code >= 400:
            broken.append((path, response.status_code, source))
            continue
        if not response["Content-Type"].startswith("text/html"):
            continue
        here = response.request["PATH_INFO"]
        for href in LINK.findall(response.content.decode()):
            href = href.replace("&amp;", "&")
            url = urlsplit(urljoin(f"http://testserver{here}", href))
            if url.scheme in ("http", "https") and url.netloc == "testserver":
                queue.append((url.path + (f"?{url.query}" if url.query else ""), here))
    return broken, read


@pytest.mark.parametrize(
    "persona", ["admin", "organiser", "coach", "participant", "other_participant", "leader"]
)
def test_no_link_a_persona_is_shown_is_broken(world, persona):
    broken, read = _walk(client_for(getattr(world, persona)))
    assert read > 5
    assert broken == []
