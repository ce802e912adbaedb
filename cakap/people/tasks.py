"""The people app's background work (decision 88)."""

from cakap.core.background import background_task
from cakap.people import invitations
from cakap.people.models import Person


@background_task(max_attempts=4)
def email_login_link(person_id: int, site: str) -> bool:
    """Email the person's login its set-password link, made now (so a retry an hour later
    still sends a link that works). Nothing goes out once the login has been used or has
    no mailbox; an unreachable mail server raises, and the task is retried."""
    person = Person.objects.select_related("user").filter(pk=person_id).first()
    user = person.user if person else None
    if person is None or user is None or not user.is_active or user.last_login is not None:
        return False
    url = site.rstrip("/") + invitations.set_password_path(user)
    return invitations.email_invitation(person, user, url)
