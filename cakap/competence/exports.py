"""Files out: the results workbook (every score in scope per person and competence, and
the aggregates per programme, group and unit), text written as text
(cakap.core.spreadsheets)."""

from collections.abc import Callable

from django.utils.translation import gettext as _

from cakap.competence import queries
from cakap.competence.access import participants_visible_to
from cakap.competence.models import Instrument
from cakap.competence.queries import show, show_g
from cakap.core import spreadsheets
from cakap.people.models import User

type Progress = Callable[[int, int], None]

# How often the builder reports: every this many rows written (and once at the end).
PROGRESS_EVERY = 500

LEVELS = ("programme", "group", "unit")


def results_workbook(
    user: User, instrument: Instrument, *, on_progress: Progress | None = None
) -> bytes:
    """The results of the people `user` may see as an XLSX workbook, written row by row
    (openpyxl's write-only mode). `on_progress(done, total)` is called every few hundred
    rows and at the end, so that a background job can show how far it is."""
    people = participants_visible_to(user, instrument.programme)
    results = queries.instrument_results(user, instrument)
    summary = queries.results_summary(user, instrument, people=people)
    competences = results.competences
    aggregate_rows = sum(len(summary.aggregate(by)) for by in LEVELS) * (1 + len(competences))
    total = len(results.people) * len(competences) + aggregate_rows
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_progress is not None and done % PROGRESS_EVERY == 0:
            on_progress(done, total)

    book = spreadsheets.StreamingBook()
    ws = book.sheet(_("Scores"))
    ws.append(
        [
            "NIP",
            _("Name"),
            _("Unit"),
            _("Group"),
            _("Competence code"),
            _("Competence"),
            _("Pre (%)"),
            _("Pre level"),
            _("Post (%)"),
            _("Post level"),
            _("Gain (points)"),
            _("Normalised gain"),
        ]
    )
    labels = [(c.pk, c.code, c.label) for c in competences]
    for person in results.people:
        for pk, code, label in labels:
            cell = person.cell(pk)
            ws.append(
                [
                    person.nip,
                    person.name,
                    person.unit,
                    person.group,
                    code,
                    label,
                    show(cell.pre),
                    cell.pre_level,
                    show(cell.post),
                    cell.post_level,
                    show(cell.gain),
                    show_g(cell.normalised),
                ]
            )
            step()
    sheet = book.sheet(_("Aggregates"))
    sheet.append(
        [
            _("Level of aggregation"),
            _("Name"),
            _("Competence"),
            _("People with pre and post"),
            _("Mean pre (%)"),
            _("Mean post (%)"),
            _("Gain (points)"),
            _("Normalised gain"),
        ]
    )
    names = {"programme": _("Programme"), "group": _("Group"), "unit": _("Unit")}
    for by in LEVELS:
        for row in summary.aggregate(by):
            entries = [(_("All competences"), row.overall)] + [
                (c.short, row.per_competence[c.pk]) for c in competences
            ]
            for label, agg in entries:
                sheet.append(
                    [
                        names[by],
                        row.label,
                        label,
                        agg.n,
                        show(agg.pre),
                        show(agg.post),
                        show(agg.gain),
                        show_g(agg.normalised),
                    ]
                )
                step()
    content = book.to_bytes()
    if on_progress is not None:
        on_progress(total, total)
    return content
