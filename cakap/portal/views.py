from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from cakap.core.models import AuditEntry
from cakap.people.access import is_admin
from cakap.people.models import Unit


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("people:login")
    return redirect("programmes:my-schedule")


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and benchmarks: answers after reading one row from the database."""
    root = Unit.objects.filter(parent=None).values_list("pk", flat=True).first()
    return JsonResponse({"status": "ok", "database": root is not None})


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Administrators browse the audit trail, filtered by actor, object type or action."""
    if not is_admin(request.user):  # type: ignore[arg-type]
        raise Http404
    entries = AuditEntry.objects.select_related("actor")
    filters = {
        "object_type": request.GET.get("object_type", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "object_id": request.GET.get("object_id", "").strip(),
    }
    if filters["object_type"]:
        entries = entries.filter(object_type=filters["object_type"])
    if filters["action"]:
        entries = entries.filter(action=filters["action"])
    if filters["actor"]:
        entries = entries.filter(actor__email__icontains=filters["actor"])
    if filters["object_id"]:
        entries = entries.filter(object_id=filters["object_id"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    actions = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
    return render(
        request,
        "portal/audit_trail.html",
        {
            "page": page,
            "filters": filters,
            "types": sorted(types),
            "actions": sorted(actions),
        },
    )
