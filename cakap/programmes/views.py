from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cakap.programmes.access import (
    get_programme_for_user,
    programmes_visible_to,
)


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = programmes_visible_to(request.user).select_related("organiser_unit")  # type: ignore[arg-type]
    return render(request, "programmes/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk)  # type: ignore[arg-type]
    return render(request, "programmes/programme_detail.html", {"programme": programme})
