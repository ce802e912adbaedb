"""A person's own account: API tokens and password. Administrators also see everyone's
tokens. Every token is fetched through access.py; writes go through tokens.py."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cakap.people import tokens
from cakap.people.access import get_token_for_revoking, is_admin, tokens_visible_to
from cakap.people.forms import (
    PasswordChangeWithTokensForm,
    SetPasswordWithTokensForm,
    TokenForm,
)
from cakap.people.identity import signed_in
from cakap.people.models import ApiToken, User

# The session key holding a new token's key until the page that shows it once.
NEW_KEY = "cakap_new_token_key"


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The person's own tokens. POST creates one and redirects here; the key is held in
    the session for that one page and shown once, so reloading it creates nothing."""
    user = signed_in(request)
    form = TokenForm(request.POST or None)
    key = request.session.pop(NEW_KEY, None) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_in_days"]
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        try:
            created, key = tokens.issue_token(
                user, form.cleaned_data["name"], expires_at=expires_at, acting_user=user
            )
        except tokens.TokenError as err:
            form.add_error("name" if err.code.startswith("name") else None, str(err.message))
        else:
            request.session[NEW_KEY] = key
            messages.success(request, _("Token %(name)s was created.") % {"name": created.name})
            return redirect("people:token-list")
    own = tokens_visible_to(user).filter(user=user).order_by("revoked_at", "-created_at", "-pk")
    context = {"form": form, "key": key, "tokens": own, "now": timezone.now()}
    return render(request, "people/account/token_list.html", context)


@login_required
def token_admin_list(request: HttpRequest) -> HttpResponse:
    """Every token, for administrators, newest first; searchable by the owner's email."""
    user = signed_in(request)
    if not is_admin(user):
        raise Http404
    found = tokens_visible_to(user).select_related("user").order_by("-created_at", "-pk")
    q = request.GET.get("q", "").strip()
    if q:
        found = found.filter(user__email__icontains=q)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "now": timezone.now()}
    return render(request, "people/account/token_admin_list.html", context)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one token: its owner's or, for an administrator, anyone's."""
    user = signed_in(request)
    token = get_token_for_revoking(user, pk)
    try:
        tokens.revoke_token(token, acting_user=user)
    except tokens.TokenError as err:  # access.py already hides others' tokens
        messages.error(request, str(err.message))
    else:
        messages.success(request, _("Token %(name)s was revoked.") % {"name": token.name})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("people:token-list")


def _revoke_after_new_password(
    request: HttpRequest, user: User, form: PasswordChangeForm | SetPasswordForm[User]
) -> None:
    if not form.cleaned_data.get("revoke_tokens"):
        return
    count = tokens.revoke_tokens_of(user, acting_user=user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s API token was revoked.", "%(count)s API tokens were revoked.", count
            )
            % {"count": count},
        )


def _has_live_tokens(user: User) -> bool:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password; the form offers to revoke one's API tokens too. Django
    keeps this browser signed in and ends the login's other sessions."""

    form_class = PasswordChangeWithTokensForm
    template_name = "people/account/password_change_form.html"
    success_url = reverse_lazy("people:password_change_done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["has_tokens"] = _has_live_tokens(signed_in(self.request))
        return context

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        _revoke_after_new_password(self.request, form.user, form)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The new password after a reset, offering to revoke the account's API tokens: a
    reset is how a person recovers an account someone else may have used."""

    form_class = SetPasswordWithTokensForm
    template_name = "people/auth/password_reset_confirm.html"
    success_url = reverse_lazy("people:password_reset_complete")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = getattr(self, "user", None)
        context["has_tokens"] = user is not None and _has_live_tokens(user)
        return context

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        _revoke_after_new_password(self.request, form.user, form)
        return response
