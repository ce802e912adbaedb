from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cakap.programmes.access import sessions_visible_to


@login_required
def my_schedule(request: HttpRequest) -> HttpResponse:
    sessions = (
        sessions_visible_to(request.user)  # type: ignore[arg-type]
        .filter(ends_at__gte=timezone.now())
        .select_related("group__programme", "module", "coach")[:50]
    )
    return render(request, "programmes/my_schedule.html", {"sessions": sessions})
