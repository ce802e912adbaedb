"""Pages for frameworks, a programme's competence set-up, instruments and administrations.

Reads go through cakap.competence.access; writes need the programme to be managed by
the user (organisers in scope, administrators). Anything out of scope answers 404.
"""

from typing import TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cakap.competence import banks, frameworks_io, services
from cakap.competence.access import (
    can_manage_programme,
    get_administration_for_user,
    get_framework_for_user,
    get_instrument_for_user,
    get_managed_instrument,
    owner_unit_of,
    participants_visible_to,
)
from cakap.competence.forms import (
    AdministrationForm,
    ChooseFrameworkForm,
    FrameworkForm,
    InstrumentForm,
    ItemForm,
    UploadForm,
)
from cakap.competence.models import (
    Administration,
    Attempt,
    Framework,
    Instrument,
    Item,
    ModuleCompetence,
)
from cakap.people.access import is_admin, is_organiser, person_of, scope_paths
from cakap.people.identity import signed_in
from cakap.people.models import Person, RoleAssignment, User
from cakap.programmes.access import (
    get_managed_programme,
    get_programme_for_user,
    is_programme_staff,
    programmes_managed_by,
    programmes_visible_to,
)
from cakap.programmes.models import Enrolment, Group, Module, Programme

SIGNING_SALT = "cakap.competence.import"


class _AttemptRow(TypedDict):
    person: Person
    group: str
    attempt: Attempt | None


def can_read_results(user: User, programme: Programme) -> bool:
    """Staff of a programme read its results: organisers, coaches, leaders, admins."""
    return is_programme_staff(user, programme)


def _error(request: HttpRequest, error: services.CompetenceError) -> None:
    messages.error(request, str(error.message))


# ---------------------------------------------------------------- home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My assessments (as a participant) and the programmes whose competence work I see."""
    user = signed_in(request)
    person = person_of(user)
    now = timezone.now()
    mine: list[dict[str, object]] = []
    if person is not None:
        programme_ids = Enrolment.objects.active().filter(person=person).values("programme_id")
        administrations = (
            Administration.objects.filter(instrument__programme__in=programme_ids)
            .exclude(instrument__kind=Instrument.Kind.OBSERVATION)
            .select_related("instrument__programme")
            .order_by("-opens_at")
        )
        attempts = {
            a.administration_id: a
            for a in Attempt.objects.filter(person=person, administration__in=administrations)
        }
        for adm in administrations:
            attempt = attempts.get(adm.pk)
            mine.append(
                {
                    "administration": adm,
                    "attempt": attempt,
                    "open": adm.opens_at <= now < adm.closes_at,
                    "upcoming": now < adm.opens_at,
                }
            )
    programmes = programmes_visible_to(user).order_by("-start_date", "title")
    if not (is_admin(user) or scope_paths(user, RoleAssignment.Role.LEADER)):
        # Organisers see what they manage, coaches what they coach; not what they take.
        programmes = programmes.filter(
            Q(pk__in=programmes_managed_by(user).values("pk"))
            | Q(pk__in=Group.objects.filter(coaches__user=user).values("programme_id"))
        )
    staff = list(programmes)
    return render(
        request,
        "competence/home.html",
        {
            "mine": mine,
            "programmes": staff,
            "frameworks": Framework.objects.annotate(n=Count("competences")),
            "can_add_framework": is_organiser(user),
        },
    )


# ---------------------------------------------------------------- frameworks


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_user(signed_in(request), pk)
    areas = framework.areas.prefetch_related("competences")
    return render(
        request,
        "competence/framework_detail.html",
        {"framework": framework, "areas": areas, "levels": framework.levels.all()},
    )


@login_required
def framework_export(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_user(signed_in(request), pk)
    response = HttpResponse(
        frameworks_io.write_xlsx(frameworks_io.spec_of(framework)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{framework.code}.xlsx"'
    return response


@login_required
def framework_create(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    form = FrameworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.create_framework(form.spec, owner_unit_of(user), acting_user=user)
        except services.CompetenceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The framework was created."))
            return redirect("competence:framework-detail", framework.pk)
    return render(request, "competence/framework_form.html", {"form": form})


@login_required
def framework_import(request: HttpRequest) -> HttpResponse:
    """Upload YAML or XLSX, see a preview naming every bad row, then confirm."""
    user = signed_in(request)
    if not is_organiser(user):
        raise Http404
    if request.method == "POST" and "payload" in request.POST:
        try:
            spec = signing.loads(request.POST["payload"], salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("competence:framework-import")
        try:
            framework = services.create_framework(spec, owner_unit_of(user), acting_user=user)
        except services.CompetenceError as error:
            _error(request, error)
            return redirect("competence:framework-import")
        messages.success(request, _("The framework was imported."))
        return redirect("competence:framework-detail", framework.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        name = upload.name.lower()
        if name.endswith((".yaml", ".yml")):
            spec, problems = frameworks_io.read_yaml(content)
        else:
            spec, problems = frameworks_io.read_xlsx(content)
        if not problems and Framework.objects.filter(code=spec["code"]).exists():
            problems = [
                frameworks_io.Problem(
                    "framework", "code", _("A framework with this code already exists.")
                )
            ]
        context.update(
            spec=spec,
            problems=problems,
            payload=signing.dumps(spec, salt=SIGNING_SALT, compress=True) if not problems else "",
        )
    return render(request, "competence/framework_import.html", context)


# ---------------------------------------------------------------- programme set-up


@login_required
def programme_competence(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme's framework, module mapping, instruments and their administrations."""
    user = signed_in(request)
    programme = get_programme_for_user(user, pk)
    manage = can_manage_programme(user, programme)
    if not (manage or can_read_results(user, programme)):
        raise Http404
    framework = services.programme_framework(programme)
    modules = list(Module.objects.filter(programme=programme))
    competences = list(framework.competences.order_by("order")) if framework else []
    mapped = set(
        ModuleCompetence.objects.filter(module__programme=programme).values_list(
            "module_id", "competence_id"
        )
    )
    matrix = [(m, [(c, (m.pk, c.pk) in mapped) for c in competences]) for m in modules]
    instruments = (
        Instrument.objects.filter(programme=programme)
        .annotate(n_items=Count("items", distinct=True))
        .prefetch_related("administrations")
    )
    return render(
        request,
        "competence/programme.html",
        {
            "programme": programme,
            "framework": framework,
            "manage": manage,
            "choose_form": ChooseFrameworkForm(initial={"framework": framework}),
            "matrix": matrix,
            "competences": competences,
            "instruments": instruments,
            "instrument_form": InstrumentForm(),
        },
    )


@login_required
@require_POST
def programme_framework(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    form = ChooseFrameworkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a framework from the list."))
    else:
        try:
            services.set_programme_framework(
                programme, form.cleaned_data["framework"], acting_user=user
            )
        except services.CompetenceError as error:
            _error(request, error)
        else:
            messages.success(request, _("The programme's framework was saved."))
    return redirect("competence:programme", programme.pk)


@login_required
@require_POST
def programme_modules(request: HttpRequest, pk: int) -> HttpResponse:
    """The module × competence matrix: checkboxes named map-<module>-<competence>."""
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    mapping: dict[int, set[int]] = {}
    for key in request.POST:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "map" and parts[1].isdigit() and parts[2].isdigit():
            mapping.setdefault(int(parts[1]), set()).add(int(parts[2]))
    try:
        services.map_modules(programme, mapping, acting_user=user)
    except services.CompetenceError as error:
        _error(request, error)
    else:
        messages.success(request, _("The modules' competences were saved."))
    return redirect("competence:programme", programme.pk)


@login_required
def instrument_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    programme = get_managed_programme(user, pk)
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.create_instrument(
                programme, **form.cleaned_data, acting_user=user
            )
        except services.CompetenceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The instrument was created."))
            return redirect("competence:instrument", instrument.pk)
    return render(
        request, "competence/instrument_form.html", {"form": form, "programme": programme}
    )


# ---------------------------------------------------------------- instruments


@login_required
def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    instrument = get_instrument_for_user(user, pk)
    manage = can_manage_programme(user, instrument.programme)
    if not (manage or can_read_results(user, instrument.programme)):
        raise Http404
    item_form = ItemForm(request.POST or None, instrument=instrument)
    if request.method == "POST":
        if not manage:
            raise Http404
        if item_form.is_valid():
            options, correct = item_form.parsed()
            spec = services.ItemSpec(
                item_form.cleaned_data["competence"].code,
                item_form.cleaned_data["kind"],
                item_form.cleaned_data["text"],
                options,
                correct,
                item_form.cleaned_data["points"],
            )
            try:
                services.add_items(instrument, [spec], acting_user=user)
            except services.CompetenceError as error:
                field = {"type": "kind", "correct": "options"}.get(error.field or "", error.field)
                item_form.add_error(
                    field if field in item_form.fields else None, str(error.message)
                )
            else:
                messages.success(request, _("The item was added."))
                return redirect("competence:instrument", instrument.pk)
    items = instrument.items.select_related("competence").order_by("order", "pk")
    return render(
        request,
        "competence/instrument_detail.html",
        {
            "instrument": instrument,
            "programme": instrument.programme,
            "manage": manage,
            "items": items,
            "item_form": item_form,
            "administrations": instrument.administrations.annotate(
                n_submitted=Count("attempts", filter=Q(attempts__submitted_at__isnull=False))
            ),
            "administration_form": AdministrationForm(),
            "taken": Attempt.objects.filter(administration__instrument=instrument).exists(),
        },
    )


@login_required
@require_POST
def item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    item = Item.objects.select_related("instrument").filter(pk=pk).first()
    if item is None:
        raise Http404
    get_managed_instrument(user, item.instrument_id)
    try:
        services.remove_item(item, acting_user=user)
    except services.CompetenceError as error:
        _error(request, error)
    else:
        messages.success(request, _("The item was removed."))
    return redirect("competence:instrument", item.instrument_id)


@login_required
def bank_export(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = get_managed_instrument(signed_in(request), pk)
    response = HttpResponse(
        banks.write_bank(instrument),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="items-{instrument.pk}.xlsx"'
    return response


@login_required
def bank_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a question bank, see every row with its problems, then confirm."""
    user = signed_in(request)
    instrument = get_managed_instrument(user, pk)
    if request.method == "POST" and "payload" in request.POST:
        try:
            raw = signing.loads(request.POST["payload"], salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("competence:bank-import", instrument.pk)
        try:
            items = services.add_items(
                instrument, [services.ItemSpec(**r) for r in raw], acting_user=user
            )
        except services.CompetenceError as error:
            _error(request, error)
            return redirect("competence:bank-import", instrument.pk)
        messages.success(
            request,
            ngettext("%d item was imported.", "%d items were imported.", len(items)) % len(items),
        )
        return redirect("competence:instrument", instrument.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "instrument": instrument}
    if request.method == "POST" and form.is_valid():
        rows, problems = banks.read_bank(form.cleaned_data["file"].read(), instrument)
        bad = [r for r in rows if r.problems]
        context.update(rows=rows, problems=problems, bad=bad)
        if rows and not bad and not problems:
            context["payload"] = signing.dumps(
                [r.spec.__dict__ for r in rows if r.spec], salt=SIGNING_SALT, compress=True
            )
    return render(request, "competence/bank_import.html", context)


@login_required
@require_POST
def administration_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in(request)
    instrument = get_managed_instrument(user, pk)
    form = AdministrationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("competence:instrument", instrument.pk)
    try:
        services.create_administration(instrument, **form.cleaned_data, acting_user=user)
    except services.CompetenceError as error:
        _error(request, error)
    else:
        messages.success(request, _("The assessment was scheduled."))
    return redirect("competence:instrument", instrument.pk)


@login_required
def administration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has taken it and who has not yet, for coaches and organisers."""
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    programme = administration.instrument.programme
    if not can_read_results(user, programme):
        raise Http404
    people = participants_visible_to(user, programme).select_related("unit").order_by("name")
    n_items = administration.instrument.items.count()
    attempts = {
        a.person_id: a
        for a in Attempt.objects.filter(administration=administration).annotate(
            n_answers=Count("answers")
        )
    }
    groups = dict(
        Enrolment.objects.active()
        .filter(programme=programme)
        .values_list("person_id", "group__name")
    )
    rows: list[_AttemptRow] = [
        {"person": p, "group": groups.get(p.pk, ""), "attempt": attempts.get(p.pk)} for p in people
    ]
    # Who has not submitted yet comes first: that is what a coach looks for.
    rows.sort(key=lambda r: r["attempt"] is not None and r["attempt"].submitted_at is not None)
    submitted = sum(1 for r in rows if r["attempt"] and r["attempt"].submitted_at)
    open_attempts = sum(1 for r in rows if r["attempt"] and not r["attempt"].submitted_at)
    return render(
        request,
        "competence/administration_detail.html",
        {
            "administration": administration,
            "instrument": administration.instrument,
            "programme": programme,
            "rows": rows,
            "n_items": n_items,
            "submitted": submitted,
            "observation": administration.instrument.kind == Instrument.Kind.OBSERVATION,
            "knowledge": administration.instrument.kind == Instrument.Kind.KNOWLEDGE,
            "can_close": open_attempts
            and administration.closes_at <= timezone.now()
            and (is_admin(user) or can_manage_programme(user, programme)),
        },
    )


@login_required
@require_POST
def administration_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the unsubmitted attempts of a closed administration with what they saved."""
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    programme = administration.instrument.programme
    if not (is_admin(user) or can_manage_programme(user, programme)):
        raise Http404
    closed = services.close_overdue_attempts(administration, acting_user=user)
    messages.success(
        request,
        ngettext(
            "%d unsubmitted attempt was scored with its saved answers.",
            "%d unsubmitted attempts were scored with their saved answers.",
            closed,
        )
        % closed,
    )
    return redirect("competence:administration", administration.pk)
