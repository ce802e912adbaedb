"""The organiser's list of personal sign-in links opens each participant's WhatsApp chat
with the prepared message (decision 81)."""

from urllib.parse import unquote

from cakap.attendance import links
from cakap.people.models import Person
from conftest import client_for


def test_each_live_link_has_a_whatsapp_chat_with_its_message(world):
    person = world.participant.person
    Person.objects.filter(pk=person.pk).update(phone="081234567890")
    person.refresh_from_db()
    links.issue_personal_link(person, world.programme, acting_user=world.organiser)
    page = client_for(world.organiser).get(f"/attendance/programmes/{world.programme.pk}/links/")
    body = page.content.decode()
    start = body.index("https://wa.me/6281234567890?text=")
    href = unquote(body[start : body.index('"', start)])
    assert "/l/" in href and person.full_name in href
    # Group B's participant has no link yet: no chat offered for them.
    assert body.count("https://wa.me/") == 1
