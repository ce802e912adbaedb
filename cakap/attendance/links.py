"""Personal sign-in links: the organiser gives each participant a link that signs one
phone in for a programme without a password. The first phone to open it is bound to
it; any other phone is refused; the organiser can revoke it and issue a new one.

A link signs in only a login that does nothing but take part
(`cakap.people.access.capabilities_beyond_taking_part`), only until its programme's end
plus `PERSONAL_LINK_DAYS_AFTER_END` days, and only while the login's password is the one
it had when the link was issued. Every use and every refusal of a known link is in the
audit trail with the phone that sent it.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cakap.attendance.models import PersonalLink
from cakap.core import audit
from cakap.core.errors import DomainError, ForbiddenError
from cakap.core.formatting import JAKARTA
from cakap.core.sessions import end_sessions_of
from cakap.people.access import capabilities_beyond_taking_part
from cakap.people.models import Person, User
from cakap.people.services import create_login
from cakap.programmes.access import programmes_managed_by
from cakap.programmes.models import Enrolment, Programme


class LinkError(DomainError):
    pass


class LinkForbiddenError(LinkError, ForbiddenError):
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


def _require_manager(programme: Programme, *, acting_user: User) -> None:
    if not programmes_managed_by(acting_user).filter(pk=programme.pk).exists():
        raise LinkForbiddenError("forbidden", _("You do not organise this programme."))


@transaction.atomic
def issue_personal_link(person: Person, programme: Programme, *, acting_user: User) -> PersonalLink:
    """Give `person` a sign-in link for `programme`; a live link is revoked first.

    The person needs a login; one is made from their email when they have none.
    """
    _require_manager(programme, acting_user=acting_user)
    if not Enrolment.objects.active().filter(person=person, programme=programme).exists():
        raise LinkError("not_enrolled", _("This person is not a participant of the programme."))
    if person.user_id is None:
        if not person.email:
            raise LinkError(
                "no_login",
                _("%(name)s has no login and no email; add an email or a login first.")
                % {"name": person.full_name},
            )
        create_login(person, person.email, acting_user=acting_user)
    user = User.objects.filter(person=person).first()
    if user is None:
        raise LinkError("link_invalid", _("This sign-in link has no active login behind it."))
    rights = capabilities_beyond_taking_part(user)
    if rights:
        raise LinkError(
            "has_capabilities",
            _(
                "%(name)s cannot get a personal sign-in link: their login has other rights "
                "(%(rights)s), so it signs in with its password only."
            )
            % {"name": person.full_name, "rights": ", ".join(rights)},
        )
    if timezone.now() >= link_expires_at(programme):
        raise LinkError("expired", _("This programme has ended; its sign-in links no longer work."))
    for live in PersonalLink.objects.select_for_update().filter(
        person=person, programme=programme, revoked_at__isnull=True
    ):
        _revoke(live, acting_user=acting_user)
    link = PersonalLink(person=person, programme=programme, created_by=acting_user)
    link.nonce = secrets.token_urlsafe(24)
    link.token_hash = _hash(link_token(link))
    link.password_fingerprint = password_fingerprint(user)
    link.save()
    audit.record(
        "personal_link.issue",
        link,
        after=audit.snapshot(link, _LINK_AUDIT),
        acting_user=acting_user,
    )
    return link


def _revoke(link: PersonalLink, *, acting_user: User | None) -> None:
    before = audit.snapshot(link, _LINK_AUDIT)
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    audit.record("personal_link.revoke", link, before=before, acting_user=acting_user)


@transaction.atomic
def revoke_personal_link(link: PersonalLink, *, acting_user: User) -> PersonalLink:
    """Stop a link from signing anyone in. Revoking twice changes nothing."""
    _require_manager(link.programme, acting_user=acting_user)
    link = PersonalLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        _revoke(link, acting_user=acting_user)
    return link


def issue_missing_links(programme: Programme, *, acting_user: User) -> tuple[int, list[str]]:
    """Issue links to every active participant without a live one; (issued, problems)."""
    _require_manager(programme, acting_user=acting_user)
    have = PersonalLink.objects.filter(programme=programme, revoked_at__isnull=True).values(
        "person_id"
    )
    people = Person.objects.filter(Enrolment.active_q("enrolments", programme=programme)).exclude(
        pk__in=have
    )
    issued, problems = 0, []
    for person in people:
        try:
            issue_personal_link(person, programme, acting_user=acting_user)
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


def password_fingerprint(user: User) -> str:
    """A keyed digest of the login's stored password hash: it changes with every new
    password, as Django's session hash does, and reveals nothing about the password."""
    return salted_hmac(
        "cakap.personal-link.password", user.password, algorithm="sha256"
    ).hexdigest()


def link_expires_at(programme: Programme) -> datetime.datetime:
    """The moment a programme's links stop working: midnight WIB at the end of the
    programme's last day plus PERSONAL_LINK_DAYS_AFTER_END days. Read from the programme
    at each use, so that moving the end date moves it."""
    last = programme.end_date + datetime.timedelta(days=settings.PERSONAL_LINK_DAYS_AFTER_END)
    return datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=JAKARTA
    )


_INVALID = _("This sign-in link is not valid any more. Ask the organiser.")


def link_refusal(link: PersonalLink | None, device_id: str) -> LinkError | None:
    """Why `link` may not sign this phone in now, or None when it may. Reads only."""
    if link is None or link.revoked_at is not None:
        return LinkError("link_invalid", _INVALID)
    user = link.person.user
    if user is None or not user.is_active:
        return LinkError("link_invalid", _("This sign-in link has no active login behind it."))
    if capabilities_beyond_taking_part(user):
        return LinkError(
            "has_capabilities",
            _(
                "This sign-in link no longer works: its login now has other rights and "
                "signs in with its password only."
            ),
        )
    if timezone.now() >= link_expires_at(link.programme):
        return LinkError(
            "expired",
            _("This sign-in link has expired. Sign in with your password or ask the organiser."),
        )
    if not link.password_fingerprint or not hmac.compare_digest(
        link.password_fingerprint, password_fingerprint(user)
    ):
        return LinkError(
            "password_changed",
            _(
                "This sign-in link no longer works because the password of its login was "
                "changed. Sign in with the password or ask the organiser for a new link."
            ),
        )
    if link.used_at is not None and (
        not device_id or not hmac.compare_digest(link.device_id, device_id)
    ):
        return LinkError(
            "link_used",
            _("This link was already opened on another phone. Ask the organiser for a new link."),
        )
    return None


def use_personal_link(token: str, device_id: str) -> User:
    """The user a link signs in on this phone. The first phone to use it is bound; the
    same phone may use it again, any other phone is refused.

    A refusal of a known link is recorded after the use's transaction has ended, so that
    the record stays while the refusal is raised.
    """
    link = find_link(token)
    if link is None:
        raise LinkError("link_invalid", _INVALID)
    with transaction.atomic():
        outcome = _use(link, device_id[:64])
    if isinstance(outcome, LinkError):
        audit.record(
            "personal_link.refuse",
            link,
            after={},
            note=f"{outcome.code}; device {device_id[:64] or '-'}",
            acting_user=None,
        )
        raise outcome
    return outcome


def _use(found: PersonalLink, device_id: str) -> User | LinkError:
    link = (
        PersonalLink.objects.select_for_update(of=("self",))
        .select_related("person__user", "programme")
        .get(pk=found.pk)
    )
    refusal = link_refusal(link, device_id)
    if refusal is not None:
        return refusal
    user = link.person.user
    assert user is not None  # link_refusal refuses a link without a login
    before = audit.snapshot(link, _LINK_AUDIT)
    if link.used_at is None:
        link.used_at = timezone.now()
        link.device_id = device_id
        link.save(update_fields=["used_at", "device_id"])
    audit.record(
        "personal_link.use",
        link,
        before=before,
        after=audit.snapshot(link, _LINK_AUDIT),
        note=f"device {device_id or '-'}",
        acting_user=user,
    )
    return user


def email_personal_link(link: PersonalLink, url: str, *, acting_user: User) -> bool:
    """Send a live link to its person's email; False when there is no address."""
    _require_manager(link.programme, acting_user=acting_user)
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
    audit.record(
        "personal_link.email", link, after={}, note=link.person.email, acting_user=acting_user
    )
    return True


@transaction.atomic
def end_link_sign_ins(user: User) -> int:
    """When `user` gains a capability beyond taking part: revoke the links that signed a
    phone in as them and end their sessions, so that a phone signed in without a password
    does not keep the new rights. Nothing happens (one query) when no used link is live.
    Returns how many links were revoked."""
    used = list(
        PersonalLink.objects.select_for_update()
        .filter(person__user=user, used_at__isnull=False, revoked_at__isnull=True)
        .select_related("programme")
    )
    if not used:
        return 0
    for link in used:
        _revoke(link, acting_user=None)
    end_sessions_of(user)
    return len(used)
