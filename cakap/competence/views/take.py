"""Taking an assessment on a phone, and the coach's observation checklist.

Every change of an answer is saved at once (htmx posts the form on `change`); without
script the "Save" button does the same. Opening the page again resumes the attempt
with every saved answer in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cakap.competence import services
from cakap.competence.access import (
    can_manage_programme,
    coaches_programme,
    get_administration_for_user,
    participants_visible_to,
)
from cakap.competence.models import Administration, Answer, Attempt, Instrument, Item, Level
from cakap.core.formatting import clock
from cakap.people.access import is_admin, person_of
from cakap.people.identity import signed_in


def _choices(item: Item, order: list[int], scale: list[tuple[int, str]]) -> list[tuple[int, str]]:
    if item.kind == Item.Kind.STATEMENT:
        return scale
    if item.kind == Item.Kind.TRUE_FALSE:
        return [(0, _("True")), (1, _("False"))]
    return [(i, item.options[i]) for i in order]


def _scale(instrument: Instrument) -> list[tuple[int, str]]:
    if instrument.scale == Instrument.Scale.LIKERT:
        return [
            (1, _("Strongly disagree")),
            (2, _("Disagree")),
            (3, _("Neither agree nor disagree")),
            (4, _("Agree")),
            (5, _("Strongly agree")),
        ]
    return [
        (lv.number, f"{lv.number} · {lv.label}")
        for lv in Level.objects.filter(framework_id=instrument.framework_id)
    ]


def _answers_from(request: HttpRequest) -> dict[int, list[str]]:
    """{item id: values} for every item shown on the page; unticked ones are empty."""
    shown = [int(v) for v in request.POST.getlist("shown") if v.isdigit()]
    return {pk: request.POST.getlist(f"item-{pk}") for pk in shown}


def _refusal(
    request: HttpRequest, administration: Administration, error: services.CompetenceError
) -> HttpResponse:
    return render(
        request,
        "competence/take_refused.html",
        {"administration": administration, "message": error.message, "code": error.code},
        status=error.http_status,
    )


@login_required
def take(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the page that says what starting means (before it is started), the test
    resumed with every saved answer, or the receipt; it changes nothing. A plain POST
    (no script) saves every answer on the page."""
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    try:
        attempt = services.attempt_of(user, administration)
    except services.CompetenceError as error:
        return _refusal(request, administration, error)
    if attempt is not None and attempt.submitted_at is not None:
        return render(
            request,
            "competence/take_done.html",
            {"administration": administration, "attempt": attempt},
        )
    if request.method == "POST":
        if attempt is None:  # nothing to save into until the person presses Start
            return redirect("competence:take", administration.pk)
        try:
            services.save_answers(attempt, _answers_from(request), acting_user=user)
        except services.CompetenceError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your answers were saved."))
        return redirect("competence:take", administration.pk)
    if attempt is None:
        instrument = administration.instrument
        return render(
            request,
            "competence/take_start.html",
            {
                "administration": administration,
                "instrument": instrument,
                "questions": instrument.items.count(),
            },
        )
    instrument = administration.instrument
    saved = dict(Answer.objects.filter(attempt=attempt).values_list("item_id", "value"))
    scale = _scale(instrument)
    questions = []
    for number, (item, order) in enumerate(services.shuffled_items(attempt), start=1):
        questions.append(
            {
                "number": number,
                "item": item,
                "multiple": item.kind == Item.Kind.MULTIPLE,
                "choices": [
                    (value, label, value in saved.get(item.pk, []))
                    for value, label in _choices(item, order, scale)
                ],
            }
        )
    return render(
        request,
        "competence/take.html",
        {
            "administration": administration,
            "instrument": instrument,
            "attempt": attempt,
            "questions": questions,
            "answered": len(saved),
            "time_up": attempt.deadline is not None and timezone.now() > attempt.deadline,
        },
    )


@login_required
@require_POST
def take_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the attempt and its timer (or resume it), then show the test."""
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    try:
        services.start_attempt(administration, acting_user=user)
    except services.CompetenceError as error:
        return _refusal(request, administration, error)
    return redirect("competence:take", administration.pk)


@login_required
@require_POST
def take_save(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save the answers on the page; answers with a one-line status."""
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    person = person_of(user)
    attempt = Attempt.objects.filter(administration=administration, person=person).first()
    if attempt is None or person is None:
        raise Http404
    try:
        services.save_answers(attempt, _answers_from(request), acting_user=user)
    except services.CompetenceError as error:
        # htmx swaps only 2xx answers: the refusal travels as a 200 fragment.
        return render(
            request, "competence/_save_status.html", {"error": error.message, "ok": False}
        )
    answered = Answer.objects.filter(attempt=attempt).count()
    return render(
        request,
        "competence/_save_status.html",
        {"ok": True, "at": clock(timezone.now()), "answered": answered},
    )


@login_required
@require_POST
def take_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save what is on the page and submit. Twice is once."""
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    person = person_of(user)
    attempt = Attempt.objects.filter(administration=administration, person=person).first()
    if attempt is None:
        raise Http404
    already = attempt.submitted_at is not None
    try:
        services.submit_attempt(attempt, _answers_from(request), acting_user=user)
    except services.CompetenceError as error:
        return _refusal(request, administration, error)
    if already:
        messages.info(
            request,
            _(
                "This assessment had already been submitted, perhaps from another tab. "
                "The first submission counts; the answers sent now were not stored."
            ),
        )
    return redirect("competence:take", administration.pk)


@login_required
def observe(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """The coach ticks what a participant did while watching them do the task."""
    user = signed_in(request)
    administration = get_administration_for_user(user, pk)
    programme = administration.instrument.programme
    if not (
        is_admin(user)
        or can_manage_programme(user, programme)
        or coaches_programme(user, programme)
    ):
        raise Http404
    if administration.instrument.kind != Instrument.Kind.OBSERVATION:
        raise Http404
    person = participants_visible_to(user, programme).filter(pk=person_pk).first()
    if person is None or person.user_id == user.pk:
        raise Http404
    items = list(administration.instrument.items.select_related("competence"))
    attempt = Attempt.objects.filter(administration=administration, person=person).first()
    if request.method == "POST":
        ticked = [int(v) for v in request.POST.getlist("done") if v.isdigit()]
        try:
            services.record_observation(administration, person, ticked, acting_user=user)
        except services.CompetenceError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The checklist was recorded."))
            return redirect("competence:administration", administration.pk)
    done = set()
    if attempt is not None:
        done = {
            item_id
            for item_id, value in Answer.objects.filter(attempt=attempt).values_list(
                "item_id", "value"
            )
            if value == [1]
        }
    return render(
        request,
        "competence/observe.html",
        {
            "administration": administration,
            "person": person,
            "items": [(i, i.pk in done) for i in items],
            "attempt": attempt,
        },
    )
