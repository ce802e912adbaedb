"""Logins and roles from the product's own pages: an organiser gives people of their
subtree a login with a set-password link (one at a time from the person's page, many at
once from the person list), grants and revokes roles, and lists who holds which role.
The person sets the first password through the link (`LoginWelcomeView`). Every object
is fetched through access.py; writes go through services.py (decision 81)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cakap.core import audit
from cakap.core.errors import DomainError
from cakap.people import invitations, services
from cakap.people.access import (
    get_person_for_editing,
    grantable_roles,
    is_organiser,
    login_link_refusal,
    people_editable_by,
    roles_visible_to,
    units_managed_by,
)
from cakap.people.forms import (
    FirstPasswordForm,
    LinkSendForm,
    LoginCreateForm,
    PeoplePickForm,
    RoleFilterForm,
    RoleGrantForm,
    RoleRevokeForm,
)
from cakap.people.identity import signed_in
from cakap.people.models import Person, RoleAssignment, User
from cakap.people.queries import search_people

Role = RoleAssignment.Role

# The session key holding the outcome of the last "give logins" for the links page.
OFFERS = "cakap_login_offers"


def _role_choices(user: User) -> list[tuple[str, str]]:
    return [(role, str(Role(role).label)) for role in grantable_roles(user)]


def person_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    """The login and roles sections of a person's page, for someone who may edit them."""
    user = signed_in(request)
    login = User.objects.filter(person=person).first()
    context: dict[str, Any] = {"login": login}
    if login is None:
        context["login_form"] = LoginCreateForm(initial={"email": person.email})
        return context
    context["login_pending"] = login.last_login is None
    context["login_has_mailbox"] = invitations.has_mailbox(login)
    context["link_refusal"] = login_link_refusal(user, login) if login.last_login is None else ""
    roles = list(
        RoleAssignment.objects.filter(user=login)
        .select_related("unit", "granted_by")
        .order_by("role", "unit__path")
    )
    manageable = set(roles_visible_to(user).filter(user=login).values_list("pk", flat=True))
    own_anchor = {Role.ORGANISER, Role.ADMIN}
    context["roles"] = [
        {
            "role": r,
            "revocable": r.pk in manageable
            and r.role in grantable_roles(user)
            and not (login.pk == user.pk and r.role in own_anchor),
        }
        for r in roles
    ]
    choices = _role_choices(user)
    if choices:
        context["role_form"] = RoleGrantForm(
            roles=choices,
            units=units_managed_by(user).order_by("path"),
            initial={"unit": person.unit_id, "role": Role.COACH},
        )
    return context


def _absolute(request: HttpRequest) -> Any:
    return request.build_absolute_uri


def _remember(request: HttpRequest, offers: list[services.LoginOffer]) -> None:
    request.session[OFFERS] = [
        {"person": o.person.pk, "outcome": o.outcome, "message": o.message, "emailed": o.emailed}
        for o in offers
    ]


@require_POST
@login_required
def person_login_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Give one person a login and show its set-password link."""
    user = signed_in(request)
    person = get_person_for_editing(user, pk)
    form = LoginCreateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("people:person-detail", person.pk)
    try:
        offer = services.give_login(
            person,
            email=form.cleaned_data["email"] or "",
            send_email=form.cleaned_data["send_email"],
            absolute=_absolute(request),
            acting_user=user,
        )
    except DomainError as err:
        messages.error(request, str(err.message))
        return redirect("people:person-detail", person.pk)
    _remember(request, [offer])
    return redirect("people:login-links")


@require_POST
@login_required
def person_login_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A new set-password link for a login that waits for its first password."""
    user = signed_in(request)
    person = get_person_for_editing(user, pk)
    form = LinkSendForm(request.POST)
    send_email = form.is_valid() and form.cleaned_data["send_email"]
    try:
        offer = services.send_login_link(
            person, send_email=send_email, absolute=_absolute(request), acting_user=user
        )
    except DomainError as err:
        messages.error(request, str(err.message))
        return redirect("people:person-detail", person.pk)
    _remember(request, [offer])
    return redirect("people:login-links")


@require_POST
@login_required
def logins_create(request: HttpRequest) -> HttpResponse:
    """Give logins to the people ticked on the person list, or to everyone it matches."""
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    form = PeoplePickForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect("people:person-list")
    people = people_editable_by(user).select_related("unit")
    if form.cleaned_data["everyone"]:
        people = search_people(people, form.cleaned_data["q"]).filter(user__isnull=True)
    else:
        people = people.filter(pk__in=form.cleaned_data["person"])
    chosen = list(people.order_by("name", "pk")[: PeoplePickForm.MAX_TICKED])
    if not chosen:
        messages.error(request, _("None of the chosen people is yours to manage."))
        return redirect("people:person-list")
    offers = services.give_logins(
        chosen,
        send_email=form.cleaned_data["send_email"],
        absolute=_absolute(request),
        acting_user=user,
    )
    _remember(request, offers)
    return redirect("people:login-links")


@never_cache
@login_required
def login_links(request: HttpRequest) -> HttpResponse:
    """What the last "give logins" did, with each new login's set-password link to copy,
    to open in WhatsApp with a prepared message, and whether it was emailed. The links
    are made again on each visit (nothing is stored); a login that has meanwhile been
    used, or is no longer the viewer's to manage, shows no link."""
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    saved = request.session.get(OFFERS)
    saved = saved if isinstance(saved, list) else []
    ids = [int(o["person"]) for o in saved if isinstance(o, dict) and "person" in o]
    people = {
        p.pk: p for p in people_editable_by(user).filter(pk__in=ids).select_related("user", "unit")
    }
    rows = []
    for entry in saved:
        person = people.get(int(entry.get("person", 0)))
        if person is None:
            continue
        row: dict[str, Any] = {**entry, "person": person, "url": "", "whatsapp": ""}
        login = person.user
        if entry.get("outcome") in ("created", "link") and login is not None:
            refusal = login_link_refusal(user, login)
            if refusal or login.last_login is not None:
                row["message"] = refusal or _("The link was used: the password is set.")
                row["outcome"] = "used"
            else:
                row["url"] = request.build_absolute_uri(invitations.set_password_path(login))
                row["text"] = invitations.invitation_text(person, row["url"])
                row["whatsapp"] = invitations.whatsapp_url(person.phone, row["text"])
        rows.append(row)
    counts = {k: sum(1 for r in rows if r["outcome"] == k) for k in ("created", "has_login")}
    context = {
        "rows": rows,
        "created": counts["created"],
        "had_login": counts["has_login"],
        "refused": sum(1 for r in rows if r["outcome"] == "refused"),
        "days": settings.LOGIN_LINK_DAYS,
    }
    return render(request, "people/login_links.html", context)


@require_POST
@login_required
def person_role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    person = get_person_for_editing(user, pk)
    form = RoleGrantForm(request.POST, roles=_role_choices(user), units=units_managed_by(user))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect("people:person-detail", person.pk)
    role, unit = form.cleaned_data["role"], form.cleaned_data["unit"]
    try:
        services.grant_role(person, role, unit, acting_user=user)
    except DomainError as err:
        messages.error(request, str(err.message))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s over %(unit)s.")
            % {"name": person.full_name, "role": Role(role).label, "unit": unit.name},
        )
    return redirect("people:person-detail", person.pk)


@require_POST
@login_required
def person_role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    person = get_person_for_editing(user, pk)
    form = RoleRevokeForm(request.POST)
    found = (
        roles_visible_to(user)
        .filter(user__person=person, pk=form.cleaned_data["role"])
        .select_related("unit")
        .first()
        if form.is_valid()
        else None
    )
    if found is None:
        raise Http404
    try:
        services.revoke_role(found, acting_user=user)
    except DomainError as err:
        messages.error(request, str(err.message))
    else:
        messages.success(
            request,
            _("%(name)s is no longer %(role)s over %(unit)s.")
            % {"name": person.full_name, "role": found.get_role_display(), "unit": found.unit.name},
        )
    return redirect("people:person-detail", person.pk)


@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    """Who holds which role over units of the organiser's scope (everyone's, for an
    administrator), filtered by role and searched by name, NIP or email."""
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    roles = [(r, str(Role(r).label)) for r in Role.values]
    form = RoleFilterForm(request.GET or None, roles=roles)
    found = roles_visible_to(user).select_related("unit", "user__person", "granted_by")
    role = q = ""
    if form.is_valid():
        role, q = form.cleaned_data["role"], form.cleaned_data["q"].strip()
    if role:
        found = found.filter(role=role)
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        cond = Q(user__person__name__icontains=q) | Q(user__email__icontains=q)
        if len(digits) >= 4:
            cond |= Q(user__person__nip__contains=digits)
        found = found.filter(cond)
    found = found.order_by("unit__path", "role", "user__person__name", "pk")
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "people/role_list.html", context)


class LoginWelcomeView(auth_views.PasswordResetConfirmView):
    """The set-password link of a new login: the person chooses their first password and
    is signed in. Django's reset view with our token (invitations.py): it works until
    a password is set or the login first signs in, and for LOGIN_LINK_DAYS days."""

    token_generator = invitations.invitation_tokens
    form_class = FirstPasswordForm
    template_name = "people/auth/login_welcome.html"
    success_url = reverse_lazy("portal:home")
    post_reset_login = True
    post_reset_login_backend = "cakap.people.auth.NipOrEmailBackend"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = getattr(self, "user", None)
        context["welcome_person"] = (
            Person.objects.filter(user=user).first() if user is not None else None
        )
        return context

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(
            "user.password_set",
            form.user,
            after={},
            note="set-password link",
            acting_user=form.user,
        )
        messages.success(self.request, _("Your password is set. Welcome to Cakap."))
        return response
