"""Personal sign-in links: the organiser gives each participant a link that signs one
phone in for a programme without a password. The first phone to open it is bound to
it; any other phone is refused; the organiser can revoke it and issue a new one.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import PersonalLink
from cakap.core import audit
from cakap.core.errors import DomainError
from cakap.people.models import Person, User
from cakap.programmes.access import programmes_managed_by
from cakap.programmes.models import Enrolment, Programme


class LinkError(DomainError):
    pass


_LINK_AUDIT = ("person_id", "programme_id", "used_at", "device_id", "revoked_at")


def link_token(link: PersonalLink) -> str:
    """The secret in a link's URL, derived from its nonce under the secret key, so that
    the organiser can print the list again while a database dump alone reveals nothing."""
    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"cakap.personal-link.v1:{link.nonce}".encode(), "sha256"
    )
    return signing.b64_encode(mac.digest()[:24]).decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_manager(actor: User, programme: Programme) -> None:
    if not programmes_managed_by(actor).filter(pk=programme.pk).exists():
        raise LinkError("forbidden", _("You do not organise this programme."))


@transaction.atomic
def issue_personal_link(actor: User, person: Person, programme: Programme) -> PersonalLink:
    """Give `person` a sign-in link for `programme`; a live link is revoked first.

    The person needs a login; one is made from their email when they have none.
    """
    _require_manager(actor, programme)
    if not Enrolment.objects.filter(
        person=person, programme=programme, status=Enrolment.Status.ACTIVE
    ).exists():
        raise LinkError("not_enrolled", _("This person is not a participant of the programme."))
    if person.user_id is None:
        if not person.email:
            raise LinkError(
                "no_login",
                _("%(name)s has no login and no email; add an email or a login first.")
                % {"name": person.full_name},
            )
        from cakap.people.services import create_login  # people owns logins

        create_login(actor, person, person.email)
    for live in PersonalLink.objects.select_for_update().filter(
        person=person, programme=programme, revoked_at__isnull=True
    ):
        _revoke(actor, live)
    link = PersonalLink(person=person, programme=programme, created_by=actor)
    link.nonce = secrets.token_urlsafe(24)
    link.token_hash = _hash(link_token(link))
    link.save()
    audit.record(actor, "personal_link.issue", link, after=audit.snapshot(link, _LINK_AUDIT))
    return link


def _revoke(actor: User, link: PersonalLink) -> None:
    before = audit.snapshot(link, _LINK_AUDIT)
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit.record(actor, "personal_link.revoke", link, before=before)


@transaction.atomic
def revoke_personal_link(actor: User, link: PersonalLink) -> PersonalLink:
    """Stop a link from signing anyone in. Revoking twice changes nothing."""
    _require_manager(actor, link.programme)
    link = PersonalLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        _revoke(actor, link)
    return link


def issue_missing_links(actor: User, programme: Programme) -> tuple[int, list[str]]:
    """Issue links to every active participant without a live one; (issued, problems)."""
    _require_manager(actor, programme)
    have = PersonalLink.objects.filter(programme=programme, revoked_at__isnull=True).values(
        "person_id"
    )
    people = Person.objects.filter(
        enrolments__programme=programme, enrolments__status=Enrolment.Status.ACTIVE
    ).exclude(pk__in=have)
    issued, problems = 0, []
    for person in people:
        try:
            issue_personal_link(actor, person, programme)
        except DomainError as error:
            problems.append(str(error.message))
        else:
            issued += 1
    return issued, problems


def find_link(token: str) -> PersonalLink | None:
    """The link a URL's token opens, found by its hash, revoked or not."""
    return (
        PersonalLink.objects.select_related("person__user", "programme")
        .filter(token_hash=_hash(token or ""))
        .first()
    )


@transaction.atomic
def use_personal_link(token: str, device_id: str) -> User:
    """The user a link signs in on this phone. The first phone to use it is bound; the
    same phone may use it again, any other phone is refused."""
    link = find_link(token)
    if link is None or link.revoked_at is not None:
        raise LinkError(
            "link_invalid", _("This sign-in link is not valid any more. Ask the organiser.")
        )
    link = (
        PersonalLink.objects.select_for_update(of=("self",))
        .select_related("person__user")
        .get(pk=link.pk)
    )
    user = link.person.user
    if user is None or not user.is_active:
        raise LinkError("link_invalid", _("This sign-in link has no active login behind it."))
    if link.used_at is not None:
        if not device_id or not hmac.compare_digest(link.device_id, device_id):
            raise LinkError(
                "link_used",
                _(
                    "This link was already opened on another phone. Ask the organiser for a "
                    "new link."
                ),
            )
        return user
    before = audit.snapshot(link, _LINK_AUDIT)
    link.used_at = timezone.now()
    link.device_id = device_id[:64]
    link.save(update_fields=["used_at", "device_id"])
    audit.record(user, "personal_link.use", link, before=before)
    return user


def email_personal_link(actor: User, link: PersonalLink, url: str) -> bool:
    """Send a live link to its person's email; False when there is no address."""
    _require_manager(actor, link.programme)
    if link.revoked_at is not None or not link.person.email:
        return False
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {"person": link.person, "programme": link.programme, "url": url}
    send_mail(
        subject=str(_("Your sign-in link for %(programme)s") % {"programme": link.programme}),
        message=render_to_string("attendance/links_email.txt", context),
        from_email=None,
        recipient_list=[link.person.email],
    )
    audit.record(actor, "personal_link.email", link, after={}, note=link.person.email)
    return True
