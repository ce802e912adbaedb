"""Attendance's notices: a session tomorrow and in one hour, and a participant falling
behind the programme's attendance target (to them and, when the programme's organiser
turned it on, to their direct superior, the atasan langsung).

Plain functions of `now`, which the scheduled tasks (`attendance/tasks.py`) call. Each
event has an idempotency key, so running a producer twice sends nothing new
(cakap.notices.services.notify_many): a session's reminders are keyed by the session and
its start (a session moved to another time is announced again), falling behind by the
programme, the person and the ISO week (at most once a week while behind).

The sessions have no "what to bring" field: the reminder names the session's title
(topic or module), its time, its venue and address or its online link.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cakap.attendance.queries import recap_for_programme
from cakap.core.formatting import JAKARTA, long_date, time_range
from cakap.notices.models import Channel, NoticeKind
from cakap.notices.services import Notice, notify_many
from cakap.notices.timing import in_daytime, tomorrow, week_key
from cakap.people.models import Person
from cakap.programmes.models import Enrolment, Programme, Session

SOON = datetime.timedelta(hours=1)


def _session_lines(session: Session) -> list[str]:
    programme = session.group.programme
    lines = [
        _("Programme: %(programme)s, group %(group)s")
        % {"programme": programme.title, "group": session.group.name},
    ]
    if session.title:
        lines.append(_("Topic: %(title)s") % {"title": session.title})
    lines.append(
        _("When: %(date)s, %(time)s")
        % {
            "date": long_date(session.starts_at),
            "time": time_range(session.starts_at, session.ends_at),
        }
    )
    venue = getattr(session, "attendance", None)
    address = venue.address if venue is not None else ""
    place = ", ".join(part for part in (session.venue, address) if part)
    if place:
        lines.append(_("Where: %(place)s") % {"place": place})
    if session.online_url:
        lines.append(_("Online meeting link: %(url)s") % {"url": session.online_url})
    return lines


def _session_notices(session: Session, kind: str, key: str) -> list[Notice]:
    """The session's reminders: each actively enrolled participant (email, and a
    WhatsApp message for the coach's list) and each coach of the group (email)."""
    when = _("tomorrow") if kind == NoticeKind.SESSION_TOMORROW else _("in one hour")
    subject = _("Cakap: your session %(when)s, %(time)s") % {
        "when": when,
        "time": time_range(session.starts_at, session.ends_at),
    }
    details = "\n".join(_session_lines(session))
    schedule = settings.SITE_URL + reverse("programmes:my-schedule")
    session_url = settings.SITE_URL + reverse("programmes:session-detail", args=[session.pk])
    refs = {"programme_ref": session.group.programme_id, "session_ref": session.pk}
    notices = []
    for enrolment in session.group.active_enrolments:  # type: ignore[attr-defined]
        person = enrolment.person
        opening = _("A reminder from Cakap: your session is %(when)s.") % {"when": when}
        link = _("Your schedule: %(url)s") % {"url": schedule}
        body = _letter(person, opening, details, "", link)
        notices.append(
            Notice(person, kind, key, subject, body, (Channel.EMAIL, Channel.WHATSAPP), **refs)
        )
    for coach in session.group.coaches.all():
        opening = _("A reminder from Cakap: a session you coach is %(when)s.") % {"when": when}
        link = _("The session, its roll and the WhatsApp list: %(url)s") % {"url": session_url}
        body = _letter(coach, opening, details, "", link)
        notices.append(Notice(coach, kind, key, subject, body, (Channel.EMAIL,), **refs))
    return notices


def _letter(person: Person, *lines: str) -> str:
    """A notice's text: the greeting to `person`, a blank line, then `lines`."""
    return "\n".join([_("Dear %(name)s,") % {"name": person.full_name}, "", *lines])


def _sessions(**filters: object) -> list[Session]:
    active = Enrolment.objects.active().select_related("person").order_by("person__name")
    return list(
        Session.objects.filter(status=Session.Status.PLANNED, **filters)
        .select_related("group__programme", "module", "attendance")
        .prefetch_related(
            Prefetch("group__enrolments", queryset=active, to_attr="active_enrolments"),
            "group__coaches",
        )
        .order_by("starts_at", "pk")
    )


def _key(prefix: str, session: Session) -> str:
    return f"{prefix}:{session.pk}:{session.starts_at:%Y%m%dT%H%M}"


def send_session_reminders(now: datetime.datetime) -> int:
    """Remind of the sessions of tomorrow (in the daytime) and of those starting within
    the hour; the number of deliveries made now."""
    notices: list[Notice] = []
    with translation.override(settings.LANGUAGE_CODE):
        if in_daytime(now):
            start = datetime.datetime.combine(tomorrow(now), datetime.time.min, JAKARTA)
            for session in _sessions(
                starts_at__gte=max(start, now), starts_at__lt=start + datetime.timedelta(days=1)
            ):
                notices += _session_notices(
                    session, NoticeKind.SESSION_TOMORROW, _key("session-tomorrow", session)
                )
        for session in _sessions(starts_at__gt=now, starts_at__lte=now + SOON):
            notices += _session_notices(
                session, NoticeKind.SESSION_SOON, _key("session-soon", session)
            )
        return len(notify_many(notices))


def _behind_body(person: Person, programme: Programme, attended: int, counted: int) -> str:
    standing = _(
        "In %(programme)s you attended %(attended)s of the %(counted)s sessions held "
        "so far; the programme asks for at least %(pct)s%%."
    ) % {
        "programme": programme.title,
        "attended": attended,
        "counted": counted,
        "pct": programme.min_attendance_pct,
    }
    url = settings.SITE_URL + reverse("attendance:my-attendance-programme", args=[programme.pk])
    return _letter(person, standing, _("Your attendance: %(url)s") % {"url": url})


def _superior_body(
    superior: Person, person: Person, programme: Programme, attended: int, counted: int
) -> str:
    standing = _(
        "%(person)s, whose direct superior you are, is falling behind in "
        "%(programme)s: %(attended)s of the %(counted)s sessions held so far "
        "attended; the programme asks for at least %(pct)s%%."
    ) % {
        "person": person.full_name,
        "programme": programme.title,
        "attended": attended,
        "counted": counted,
        "pct": programme.min_attendance_pct,
    }
    return _letter(superior, standing, _("The organiser of the programme asked Cakap to tell you."))


def _running_programmes() -> Iterable[Programme]:
    return Programme.objects.filter(status=Programme.Status.RUNNING).order_by("pk")


def send_behind_target_notices(now: datetime.datetime) -> int:
    """Tell each participant of a running programme who is falling behind its attendance
    target (below the pace, or unable to reach it), at most once a week; and their direct
    superior too where the programme turns that on. The number of deliveries made now."""
    if not in_daytime(now):
        return 0
    week = week_key(now)
    made = 0
    with translation.override(settings.LANGUAGE_CODE):
        for programme in _running_programmes():
            # Nobody is behind before a session was held (0 of 0 is not a reason to write).
            rows = [r for r in recap_for_programme(programme).at_risk if r.standing.counted]
            if not rows:
                continue
            superiors = {}
            if programme.notify_superior_when_behind:
                superiors = {
                    p.pk: p.superior
                    for p in Person.objects.filter(
                        pk__in=[r.person.pk for r in rows], superior__isnull=False
                    ).select_related("superior")
                }
            notices = []
            for row in rows:
                person, st = row.person, row.standing
                key = f"behind-target:{programme.pk}:{person.pk}:{week}"
                subject = _("Cakap: your attendance in %(programme)s") % {
                    "programme": programme.title
                }
                notices.append(
                    Notice(
                        person,
                        NoticeKind.BEHIND_TARGET,
                        key,
                        subject,
                        _behind_body(person, programme, st.attended, st.counted),
                        (Channel.EMAIL, Channel.WHATSAPP),
                        programme_ref=programme.pk,
                    )
                )
                superior = superiors.get(person.pk)
                if superior is not None:
                    notices.append(
                        Notice(
                            superior,
                            NoticeKind.STAFF_BEHIND,
                            f"staff-behind:{programme.pk}:{person.pk}:{week}",
                            _("Cakap: %(person)s is falling behind in %(programme)s")
                            % {"person": person.full_name, "programme": programme.title},
                            _superior_body(superior, person, programme, st.attended, st.counted),
                            (Channel.EMAIL,),
                            programme_ref=programme.pk,
                        )
                    )
            made += len(notify_many(notices))
    return made
