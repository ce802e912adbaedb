"""A personal iCalendar feed: the sessions a user attends or coaches, for phone calendars."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from cakap.people.models import User
from cakap.programmes.models import Enrolment, Session

# Old sessions stay in the feed for a while so that a phone does not drop them at once.
FEED_HISTORY_DAYS = 180
FEED_MAX_EVENTS = 2000


def own_sessions(user: User) -> QuerySet[Session]:
    """Sessions of the groups a user takes part in (active enrolment) or coaches."""
    q = (
        Enrolment.active_q("group__enrolments", person__user=user)
        | Q(coach__user=user)
        | Q(group__coaches__user=user)
    )
    return Session.objects.filter(pk__in=Session.objects.filter(q).values("pk"))


def feed_url(request: HttpRequest, user: User) -> str:
    """The secret address of a user's feed, on the address the request reached Cakap at
    (its host, checked against ALLOWED_HOSTS, and https behind a TLS proxy), as the
    check-in's QR code and the personal links are: it works on whatever port or name
    Cakap is served, which a configured address cannot promise (decision 85)."""
    return request.build_absolute_uri(reverse("programmes:ical-feed", args=[user.feed_token]))


def webcal_url(request: HttpRequest, user: User) -> str:
    """The same address with the webcal scheme, which phones open as a subscription."""
    parts = urlsplit(feed_url(request, user))
    return f"webcal://{parts.netloc}{parts.path}"


def _uid_domain() -> str:
    # The configured site, not the request's: an event keeps its UID whatever address a
    # phone fetched the feed from, so that it never holds the same session twice.
    return urlsplit(settings.SITE_URL).hostname or "cakap.invalid"


def user_for_token(token: str) -> User | None:
    """The active user owning a feed token, or None."""
    if not token:
        return None
    return User.objects.filter(feed_token=token, is_active=True).first()


def feed_for(user: User) -> bytes:
    """The iCalendar document of a user's sessions, times in UTC.

    Each session keeps one UID for its whole life, so that a change or a cancellation
    updates the event a phone already holds instead of adding another.
    """
    now = timezone.now()
    sessions = (
        own_sessions(user)
        .filter(ends_at__gte=now - datetime.timedelta(days=FEED_HISTORY_DAYS))
        .select_related("group__programme", "module", "coach")
        .order_by("starts_at", "pk")[:FEED_MAX_EVENTS]
    )
    cal = Calendar()
    cal.add("prodid", "-//Cakap//Coaching schedule//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Cakap schedule"))
    cal.add("x-published-ttl", "PT1H")
    domain = _uid_domain()
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{domain}")
        event.add("dtstamp", now.astimezone(datetime.UTC))
        event.add("dtstart", session.starts_at.astimezone(datetime.UTC))
        event.add("dtend", session.ends_at.astimezone(datetime.UTC))
        programme = session.group.programme.title
        title = session.title
        event.add("summary", f"{programme}: {title}" if title else programme)
        if session.venue:
            event.add("location", session.venue)
        if session.online_url:
            event.add("url", session.online_url)
        details = [f"{_('Group')}: {session.group.name}"]
        if session.coach is not None:
            details.append(f"{_('Coach')}: {session.coach.full_name}")
        if session.online_url:
            details.append(session.online_url)
        if session.status_reason:
            details.append(session.status_reason)
        event.add("description", "\n".join(details))
        # A moved session is replaced by another one; the old meeting will not happen.
        gone = session.status in (Session.Status.CANCELLED, Session.Status.MOVED)
        event.add("status", "CANCELLED" if gone else "CONFIRMED")
        cal.add_component(event)
    return bytes(cal.to_ical())
