from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cakap.people.access import get_person_for_user, is_organiser, people_visible_to


def lockout(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Shown instead of the login form when too many attempts failed (django-axes)."""
    return render(request, "registration/locked_out.html", status=429)


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    if not is_organiser(request.user):  # type: ignore[arg-type]
        raise Http404
    people = people_visible_to(request.user).select_related("unit")  # type: ignore[arg-type]
    q = request.GET.get("q", "").strip()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        cond = Q(name__icontains=q) | Q(position__icontains=q) | Q(unit__name__icontains=q)
        if len(digits) >= 4:
            cond |= Q(nip__contains=digits)
        people = people.filter(cond)
    page = Paginator(people.order_by("name"), 50).get_page(request.GET.get("page"))
    return render(request, "people/person_list.html", {"page": page, "q": q})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)  # type: ignore[arg-type]
    return render(request, "people/person_detail.html", {"person": person})


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    if not is_organiser(request.user):  # type: ignore[arg-type]
        raise Http404
    return render(request, "people/roster_import.html", {})
