"""A person's own notice settings and deliveries, and an organiser's view of one
person's delivery log. Every object through access.py; writes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cakap.notices import queries, services
from cakap.notices.access import get_person_for_log, own_person
from cakap.notices.forms import PreferencesForm
from cakap.people.identity import signed_in


@login_required
def my_notices(request: HttpRequest) -> HttpResponse:
    """Opt out of email per kind of notice, and see what was sent."""
    user = signed_in(request)
    person = own_person(user)
    if person is None:
        raise Http404
    choices = queries.email_preferences(person)
    initial = {"email_kinds": [kind for kind, on in choices.items() if on]}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_email_preferences(person, form.cleaned_data["email_kinds"], acting_user=user)
        messages.success(request, _("Your notice settings were saved."))
        return redirect("notices:my-notices", permanent=False)
    page = queries.page_of(queries.deliveries_of(person), request.GET.get("page"))
    context = {"form": form, "person": person, "page": page, "own": True}
    return render(request, "notices/my_notices.html", context)


@login_required
def person_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Every delivery to one person, for their organisers."""
    user = signed_in(request)
    person = get_person_for_log(user, pk)
    page = queries.page_of(
        queries.deliveries_of(person).select_related("person"), request.GET.get("page")
    )
    return render(request, "notices/person_log.html", {"person": person, "page": page})
