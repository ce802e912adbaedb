"""The privacy pages: one's own data and its export, the log of reads (administrators),
and the privacy notice (everyone, signed in or not)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cakap.people import reads
from cakap.people.access import is_admin, person_of, reads_visible_to
from cakap.people.identity import signed_in
from cakap.privacy import exports, queries
from cakap.privacy.forms import ReadLogFilterForm

READS_PER_PAGE = 50


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's own data: what is held, and the button for the export."""
    user = signed_in(request)
    person = person_of(user)
    return render(
        request,
        "privacy/my_data.html",
        {"person": person, "sections": [c.verbose_name for c, _m in queries.parts()]},
    )


@never_cache
@login_required
def my_data_export(request: HttpRequest) -> HttpResponse:
    """The ZIP of everything held about the signed-in person, made at once. Only ever
    one's own: the person comes from the login, never from the address."""
    user = signed_in(request)
    person = person_of(user)
    if person is None:
        raise Http404
    export = queries.export_of(person)
    reads.record_read(
        user,
        reads.Kind.OWN_EXPORT,
        scope=reads.Scope.PERSON,
        scope_id=person.pk,
        person_id=person.pk,
    )
    response = HttpResponse(exports.as_zip(export), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(export)}"'
    return response


@login_required
def read_log(request: HttpRequest) -> HttpResponse:
    """Administrators browse who read whose personal data, filtered and paged."""
    user = signed_in(request)
    if not is_admin(user):
        raise Http404
    form = ReadLogFilterForm(request.GET or None)
    filters = queries.ReadFilters()
    if form.is_bound and form.is_valid():
        filters = queries.ReadFilters(**form.cleaned_data)
    found = queries.read_log(reads_visible_to(user), filters)
    page = Paginator(found, READS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/read_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def notice(request: HttpRequest) -> HttpResponse:
    """What Cakap collects, why, who sees it, how long it is kept, and how to get it."""
    return render(request, "privacy/notice.html", {"days": settings.RETENTION_DAYS})
