"""Check-in pages: the participant's scan and typed code, the coach's screen with its live
roll, participant cards and personal sign-in links. Views parse, call checkin.py, render.
"""

import contextlib
import datetime
from collections.abc import Mapping
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cakap.attendance import checkin, codes, links, phones, queries, windows
from cakap.attendance.access import get_session_for_roll, has_to_do_with
from cakap.attendance.checkin import CheckInError
from cakap.attendance.forms import (
    CardForm,
    CodeForm,
    HeldCheckInForm,
    PersonPickForm,
    SearchForm,
    location_from,
)
from cakap.attendance.links import LinkError
from cakap.attendance.models import (
    AttendanceRecord,
    CheckInAttempt,
    Method,
    PersonalLink,
    Status,
)
from cakap.core.formatting import clock, long_date
from cakap.people import reads
from cakap.people.access import person_of
from cakap.people.identity import signed_in
from cakap.people.invitations import whatsapp_url
from cakap.people.models import Person, User
from cakap.people.nip import NipError, parse_nip
from cakap.programmes.access import get_managed_programme
from cakap.programmes.models import Enrolment

SCANS_KEY = "cakap_scans"
MAX_REMEMBERED_SCANS = 5
DEVICE_COOKIE_AGE = 5 * 365 * 24 * 3600
SEARCH_LIMIT = 10
LINK_BACKEND = "cakap.people.auth.NipOrEmailBackend"


def qr_svg(data: str) -> SafeString:
    """A QR code as inline SVG that scales with its box (CSS gives it a size)."""
    svg = segno.make(data, error="m").svg_inline(scale=1, border=2, omitsize=True)
    return mark_safe(svg)  # noqa: S308 - segno escapes nothing from users: data is our URL


# --- Device id cookie ---------------------------------------------------------------------


def _device(request: HttpRequest) -> str:
    """This phone's long-lived id, made on its first visit (the response sets it)."""
    value = request.COOKIES.get(phones.DEVICE_COOKIE)
    if phones.valid_device_id(value):
        return value or ""
    cached: str | None = getattr(request, "_cakap_new_device", None)
    if cached is None:
        cached = phones.new_device_id()
        request._cakap_new_device = cached  # type: ignore[attr-defined]
    return cached


def _set_device(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    new: str | None = getattr(request, "_cakap_new_device", None)
    if new is None and not phones.valid_device_id(request.COOKIES.get(phones.DEVICE_COOKIE)):
        new = _device(request)
    if new is not None:
        response.set_cookie(
            phones.DEVICE_COOKIE,
            new,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# --- Remembered scans ---------------------------------------------------------------------


def _remember_scan(request: HttpRequest, session_id: int, code: str) -> datetime.datetime:
    """Note when this code was scanned; a repeated visit (after signing in) keeps the
    first moment, so that the code stays honoured as of the scan."""
    now = timezone.now()
    scans: dict[str, dict[str, str]] = dict(request.session.get(SCANS_KEY, {}))
    entry = scans.get(str(session_id))
    if entry and entry.get("code") == code:
        at = datetime.datetime.fromisoformat(entry["at"])
        if codes.seen_recently(at, now):
            return at
    scans[str(session_id)] = {"code": code, "at": now.isoformat()}
    if len(scans) > MAX_REMEMBERED_SCANS:
        oldest = sorted(scans, key=lambda k: scans[k]["at"])[: len(scans) - MAX_REMEMBERED_SCANS]
        for key in oldest:
            del scans[key]
    request.session[SCANS_KEY] = scans
    return now


def _scan_time(data: Mapping[str, Any], session_id: int, code: str) -> datetime.datetime:
    """When this code was scanned, as `_remember_scan` noted it in the session `data`."""
    entry = data.get(SCANS_KEY, {}).get(str(session_id))
    if entry and entry.get("code") == code:
        return datetime.datetime.fromisoformat(entry["at"])
    return timezone.now()


# --- Participant: scan, typed code, card --------------------------------------------------


def _result_html(
    session: Any, result: checkin.CheckInResult | None, error: CheckInError | None
) -> SafeString:
    """The answer to a check-in (attendance/_scan_result.html), without the request's
    context processors: the script's answer is the fragment alone."""
    context: dict[str, Any] = {"reason": "", "lines": []}
    if error is not None:
        context.update(outcome="refused", big=_("Not checked in"), lines=[error.message])
        context["reason"] = error.code
    elif result is not None and result.pending:
        context.update(outcome="pending", big=_("Waiting for the coach"))
        context["lines"] = [
            _("This phone already checked in someone else; the coach will confirm your check-in.")
        ]
    else:
        assert result is not None
        context.update(outcome=result.status, big=result.headline)
        if result.status == Status.TERLAMBAT and result.record.checked_in_at:
            context["lines"].append(clock(result.record.checked_in_at))
        if not result.created:
            context["lines"].append(_("You were already checked in; nothing changed."))
    # Someone outside the group is told so without naming the session.
    if session is not None and (error is None or error.code != "not_enrolled"):
        context["sub_title"] = session.title or session.group.name
        context["sub_date"] = long_date(session.starts_at)
    return mark_safe(render_to_string("attendance/_scan_result.html", context))  # noqa: S308 - a template's escaped output


@never_cache
def checkin_scan(request: HttpRequest, session_id: int, code: str) -> HttpResponse:
    """Where the QR on the coach's screen leads. GET notes the scan and shows a page whose
    script records the check-in by POST (a button does it without script)."""
    code = codes.normalise_code(code)[:12]
    if request.method == "POST":
        loaded = _load_scan_post(request, session_id)
        if loaded is not None:
            return _scan_post(request, session_id, code, *loaded)
    session = checkin.load_session(session_id)
    if session is None:
        raise Http404
    if request.method == "POST":
        return redirect_to_login(request.get_full_path())
    scanned_at = _remember_scan(request, session_id, code)
    if not request.user.is_authenticated:
        messages.info(
            request,
            _("Sign in to finish your check-in. Your scan at %(time)s is kept.")
            % {"time": clock(scanned_at)},
        )
        return _set_device(request, redirect_to_login(request.get_full_path()))
    if not has_to_do_with(signed_in(request), session.group.programme):
        raise Http404  # as for a link to no session: nothing about it
    policy = windows.policy_for(session.group.programme)
    context = {
        "session": session,
        "code": code,
        "scanned_at": scanned_at,
        "location_mode": policy.location_mode,
    }
    return _set_device(request, render(request, "attendance/checkin_scan.html", context))


def _load_scan_post(
    request: HttpRequest, session_id: int
) -> tuple[Any, checkin.Participant, Mapping[str, Any]] | None:
    """The session, what the check-in reads of the signed-in participant and the data of
    their sign-in session, in one query (a whole room checks in at once through here):
    on PostgreSQL the session cookie's row and its user come in the same statement, and
    only when that does not settle who is signed in does Django's own `request.user`
    (decision 78). None: nobody is signed in."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    found = checkin.load_signed_in_check_in(session_id, key, _device(request))
    if found is not None:
        request.user = found.user  # as Django's login() and the API's token auth set it
        return found.session, found.participant, found.session_data
    if not request.user.is_authenticated:
        return None
    loaded = checkin.load_check_in(session_id, signed_in(request), _device(request))
    if loaded is None:
        raise Http404
    return (*loaded, request.session)


def _scan_post(
    request: HttpRequest,
    session_id: int,
    code: str,
    session: Any,
    participant: checkin.Participant,
    session_data: Mapping[str, Any],
) -> HttpResponse:
    location = location_from(request.POST)
    scanned_at = _scan_time(session_data, session_id, code)
    result, error = None, None
    try:
        result = checkin.record_check_in(
            session,
            code,
            acting_user=signed_in(request),
            scanned_at=scanned_at,
            device_id=_device(request),
            location=location,
            participant=participant,
        )
    except CheckInError as e:
        error = e
    answer = _result_html(session, result, error)
    if request.headers.get("X-Cakap-Fetch"):
        # The script's answer is the fragment alone: no page, so no navigation queries.
        return _set_device(request, HttpResponse(answer))
    context = {"session": session, "result_html": answer}
    return _set_device(request, render(request, "attendance/checkin_done.html", context))


@never_cache
@login_required
def checkin_code(request: HttpRequest) -> HttpResponse:
    """The typed-code form, for those who cannot scan."""
    context: dict[str, Any] = {}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = checkin.record_typed_check_in(
                form.cleaned_data["code"],
                acting_user=signed_in(request),
                typed_at=timezone.now(),
                device_id=_device(request),
                location=location_from(request.POST),
            )
        except CheckInError as e:
            context = {"result_html": _result_html(None, None, e)}
        else:
            context = {"result_html": _result_html(None, result, None)}
            form = CodeForm()
    context["form"] = form
    # Ask the phone for its position only when one of today's sessions checks it.
    modes = {
        windows.policy_for(s.group.programme).location_mode
        for s in checkin.sessions_open_for(signed_in(request), timezone.now())
    }
    context["location_mode"] = next((m for m in ("required", "record") if m in modes), "off")
    return _set_device(request, render(request, "attendance/checkin_code.html", context))


@login_required
def my_card(request: HttpRequest) -> HttpResponse:
    """The participant's card: a QR the coach's screen scans to check them in."""
    person = person_of(signed_in(request))
    if person is None:
        raise Http404
    context = {"person": person, "qr": qr_svg(phones.card_token(person))}
    return _set_device(request, render(request, "attendance/card.html", context))


# --- Coach: the check-in screen -----------------------------------------------------------


def _code_context(request: HttpRequest, session: Any) -> dict[str, Any]:
    policy = windows.policy_for(session.group.programme)
    now = timezone.now()
    shown = codes.current_code(session, policy, now)
    url = request.build_absolute_uri(
        reverse("attendance:checkin-scan", args=[session.pk, shown.code])
    )
    window = windows.window_of(session.starts_at, policy, windows.venue_for(session))
    return {
        "session": session,
        "shown": shown,
        "url": url,
        "qr": qr_svg(url),
        "expires_ms": int(shown.expires_at.timestamp() * 1000),
        "now_ms": int(now.timestamp() * 1000),
        "window": window,
        "window_state": window.state(now),
        "policy": policy,
    }


@never_cache
@login_required
def coach_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's screen: the rotating QR and code, and beside it the live roll."""
    session = get_session_for_roll(signed_in(request), pk)
    context = {
        **_code_context(request, session),
        "roll": queries.live_roll(session),
        "search_form": SearchForm(),
    }
    return render(request, "attendance/coach_checkin.html", context)


@never_cache
@login_required
def coach_code(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_roll(signed_in(request), pk)
    return render(request, "attendance/_coach_code.html", _code_context(request, session))


@never_cache
@login_required
def coach_roll(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_roll(signed_in(request), pk)
    return render(
        request,
        "attendance/_coach_roll.html",
        {"session": session, "roll": queries.live_roll(session)},
    )


def _roll_changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = "roll-changed"
    return response


@require_POST
@login_required
def coach_decide(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    """Approve or refuse a check-in held because the phone was shared."""
    session = get_session_for_roll(signed_in(request), pk)
    record = (
        AttendanceRecord.objects.select_related("session", "person")
        .filter(pk=record_pk, session=session)
        .first()
    )
    form = HeldCheckInForm(request.POST)
    if record is None or not form.is_valid():
        raise Http404
    checkin.decide_pending(
        record, approve=form.cleaned_data["decision"] == "approve", acting_user=signed_in(request)
    )
    if request.htmx:  # type: ignore[attr-defined]
        return coach_roll(request, pk)
    return redirect("attendance:coach-checkin", pk=pk)


@never_cache
@login_required
def coach_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Participants of the group whose name or NIP matches, to check in by hand."""
    session = get_session_for_roll(signed_in(request), pk)
    form = SearchForm(request.GET)
    people: list[Person] = []
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        q = Q(name__icontains=query)
        digits = "".join(c for c in query if c.isdigit())
        if len(digits) >= 4:
            q |= Q(nip__contains=digits)
        with contextlib.suppress(NipError):
            q |= Q(nip=parse_nip(query).digits)
        people = list(
            Person.objects.filter(
                q, Enrolment.active_q("enrolments", group_id=session.group_id)
            ).order_by("name")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "attendance/coach_search.html",
        {"session": session, "people": people, "query": query},
    )


def _coach_check_in(
    request: HttpRequest, pk: int, person_id: int | None, method: str
) -> tuple[bool, str]:
    session = get_session_for_roll(signed_in(request), pk)
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    if person is None:
        return False, _("This card is not valid.")
    try:
        result = checkin.check_in_by_coach(
            session, person, method=method, acting_user=signed_in(request)
        )
    except CheckInError as e:
        if e.code == "not_enrolled":
            # Only the session's own participants: a card or id from elsewhere names nobody.
            return False, _("This card is not valid.")
        return False, f"{person.full_name}: {e.message}"
    if result.created:
        return True, f"{person.full_name}: {result.headline}"
    return True, _("%(name)s was already recorded: %(status)s") % {
        "name": person.full_name,
        "status": result.headline,
    }


@require_POST
@login_required
def coach_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach checks in a participant found by name or NIP."""
    form = PersonPickForm(request.POST)
    person_id = form.cleaned_data["person"] if form.is_valid() else None
    ok, message = _coach_check_in(request, pk, person_id, Method.COACH_SEARCH)
    if request.htmx:  # type: ignore[attr-defined]
        return _roll_changed(
            render(request, "attendance/coach_message.html", {"ok": ok, "message": message})
        )
    messages.success(request, message) if ok else messages.error(request, message)
    return redirect("attendance:coach-checkin", pk=pk)


@require_POST
@login_required
def coach_card(request: HttpRequest, pk: int) -> JsonResponse:
    """The coach's camera read a participant's card."""
    form = CardForm(request.POST)
    person_id = phones.person_id_from_card(form.cleaned_data["token"]) if form.is_valid() else None
    ok, message = _coach_check_in(request, pk, person_id, Method.COACH_SCAN)
    return JsonResponse({"ok": ok, "message": str(message)})


# --- Personal sign-in links ---------------------------------------------------------------


def _link_url(request: HttpRequest, link: PersonalLink) -> str:
    return request.build_absolute_uri(
        reverse("attendance:link-open", args=[links.link_token(link)])
    )


def _live_links(programme: Any) -> dict[int, PersonalLink]:
    return {
        link.person_id: link
        for link in PersonalLink.objects.filter(programme=programme, revoked_at__isnull=True)
    }


def _participants(programme: Any) -> list[Enrolment]:
    return list(
        Enrolment.objects.active()
        .filter(programme=programme)
        .select_related("person", "group")
        .order_by("group__name", "person__name")
    )


@login_required
def links_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's list of personal links, with text to copy into WhatsApp."""
    programme = get_managed_programme(signed_in(request), pk)
    live = _live_links(programme)
    rows = []
    for enrolment in _participants(programme):
        link = live.get(enrolment.person_id)
        url = _link_url(request, link) if link else ""
        text = (
            _(
                "Dear %(name)s, this is your personal link for %(programme)s. Open it on "
                "your own phone to sign in; it works on one phone only: %(url)s"
            )
            % {"name": enrolment.person.full_name, "programme": programme.title, "url": url}
            if link
            else ""
        )
        whatsapp = whatsapp_url(enrolment.person.phone, text) if link else ""
        rows.append(
            {"enrolment": enrolment, "link": link, "url": url, "text": text, "whatsapp": whatsapp}
        )
    return render(request, "attendance/links_list.html", {"programme": programme, "rows": rows})


@login_required
def links_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable sheet: one QR per participant with a live, unused link."""
    programme = get_managed_programme(signed_in(request), pk)
    reads.record_read(
        request.user,
        reads.Kind.LINKS_PRINT,
        scope=reads.Scope.PROGRAMME,
        scope_id=programme.pk,
        scope_label=str(programme),
    )
    live = _live_links(programme)
    cards = []
    for enrolment in _participants(programme):
        link = live.get(enrolment.person_id)
        if link is not None and link.used_at is None:
            url = _link_url(request, link)
            cards.append({"person": enrolment.person, "url": url, "qr": qr_svg(url)})
    return render(request, "attendance/links_print.html", {"programme": programme, "cards": cards})


@require_POST
@login_required
def links_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue (or reissue) one participant's link, or links for all who lack one."""
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    form = PersonPickForm(request.POST)
    try:
        if form.is_valid():
            person = Person.objects.filter(
                Enrolment.active_q("enrolments", programme=programme),
                pk=form.cleaned_data["person"],
            ).first()
            if person is None:
                raise Http404
            links.issue_personal_link(person, programme, acting_user=user)
            messages.success(request, _("A new link was issued to %(name)s.") % {"name": person})
        else:
            issued, problems = links.issue_missing_links(programme, acting_user=user)
            messages.success(request, _("%(count)s links issued.") % {"count": issued})
            for problem in problems:
                messages.warning(request, problem)
    except LinkError as e:
        messages.error(request, str(e.message))
    return redirect("attendance:links-list", pk=programme.pk)


def _managed_link(user: User, link_pk: int) -> PersonalLink:
    link = PersonalLink.objects.select_related("programme", "person").filter(pk=link_pk).first()
    if link is None:
        raise Http404
    get_managed_programme(user, link.programme_id)
    return link


@require_POST
@login_required
def links_revoke(request: HttpRequest, link_pk: int) -> HttpResponse:
    link = _managed_link(signed_in(request), link_pk)
    links.revoke_personal_link(link, acting_user=signed_in(request))
    messages.success(request, _("The link of %(name)s no longer works.") % {"name": link.person})
    return redirect("attendance:links-list", pk=link.programme_id)


@require_POST
@login_required
def links_email(request: HttpRequest, link_pk: int) -> HttpResponse:
    link = _managed_link(signed_in(request), link_pk)
    if links.email_personal_link(link, _link_url(request, link), acting_user=signed_in(request)):
        messages.success(
            request, _("The link was sent to %(email)s.") % {"email": link.person.email}
        )
    else:
        messages.error(request, _("This person has no email address."))
    return redirect("attendance:links-list", pk=link.programme_id)


@never_cache
def link_open(request: HttpRequest, token: str) -> HttpResponse:
    """A personal link. GET asks to confirm, so that chat apps fetching a preview do not
    use it up; POST signs this phone in and binds the link to it."""
    link = links.find_link(token)
    if request.method == "POST":
        try:
            user = links.use_personal_link(token, _device(request))
        except LinkError as e:
            response = render(
                request, "attendance/links_open.html", {"error": e.message}, status=403
            )
            return _set_device(request, response)
        login(request, user, backend=LINK_BACKEND)
        messages.success(request, _("You are signed in on this phone."))
        return _set_device(request, redirect("portal:home"))
    refusal = links.link_refusal(link, _device(request))
    error = refusal.message if refusal is not None else None
    context = {"link": link if error is None else None, "error": error}
    return _set_device(request, render(request, "attendance/links_open.html", context))


@login_required
def attempts_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Refused check-ins of a programme, for the organiser to review."""
    programme = get_managed_programme(signed_in(request), pk)
    attempts = (
        CheckInAttempt.objects.filter(session__group__programme=programme)
        .select_related("session__group", "person")
        .order_by("-last_at", "-id")
    )
    reason = request.GET.get("reason", "")
    if reason in checkin.REASONS:
        attempts = attempts.filter(reason=reason)
    context = {
        "programme": programme,
        "page": Paginator(attempts, 50).get_page(request.GET.get("page")),
        "reasons": sorted(checkin.REASONS),
        "reason": reason,
    }
    return render(request, "attendance/checkin_attempts.html", context)
