"""A programme chooses its framework, maps modules to competences, builds instruments
and question banks (typed in or imported from XLSX with a preview) and schedules them."""

import io

import pytest
from openpyxl import Workbook

from cakap.competence import banks, services
from cakap.competence.models import Administration, Instrument, Item, ModuleCompetence
from cakap.competence.tests.helpers import take
from cakap.programmes.models import Module
from conftest import client_for


def test_organiser_chooses_the_framework_and_maps_modules(world, literacy):
    client = client_for(world.organiser)
    base = f"/competence/programmes/{world.programme.pk}/"
    client.post(base + "framework/", {"framework": literacy.pk})
    assert services.programme_framework(world.programme) == literacy
    module = Module.objects.get(programme=world.programme)
    cd, ad = literacy.competences.get(code="CD"), literacy.competences.get(code="AD")
    client.post(
        base + "modules/", {f"map-{module.pk}-{cd.pk}": "on", f"map-{module.pk}-{ad.pk}": "on"}
    )
    assert set(
        ModuleCompetence.objects.filter(module=module).values_list("competence__code", flat=True)
    ) == {"CD", "AD"}
    page = client.get(base)
    assert page.status_code == 200
    assert page.context["matrix"][0][1][0] == (cd, True)


@pytest.mark.parametrize("persona", ["coach", "participant", "leader", "leader_other"])
def test_only_organisers_change_the_set_up(world, literacy, persona):
    client = client_for(getattr(world, persona))
    base = f"/competence/programmes/{world.programme.pk}/"
    assert client.post(base + "framework/", {"framework": literacy.pk}).status_code == 404
    assert client.get(base + "instruments/new/").status_code == 404
    assert services.programme_framework(world.programme) is None


def test_the_framework_cannot_change_under_existing_instruments(world, digcomp, quiz):
    with pytest.raises(services.CompetenceError) as caught:
        services.set_programme_framework(world.programme, digcomp, acting_user=world.organiser)
    assert caught.value.code == "framework_in_use"


def test_organiser_builds_a_self_assessment_in_the_pages(world, literacy):
    services.set_programme_framework(world.programme, literacy, acting_user=world.organiser)
    client = client_for(world.organiser)
    response = client.post(
        f"/competence/programmes/{world.programme.pk}/instruments/new/",
        {"kind": "self", "title": "Penilaian diri", "scale": "likert"},
    )
    instrument = Instrument.objects.get(title="Penilaian diri")
    assert response.status_code == 302
    cd = literacy.competences.get(code="CD")
    client.post(
        f"/competence/instruments/{instrument.pk}/",
        {"competence": cd.pk, "kind": "statement", "text": "I can send mail", "points": 1},
    )
    assert instrument.items.count() == 1
    response = client.post(
        f"/competence/instruments/{instrument.pk}/administrations/new/",
        {"phase": "pre", "opens_at": "2026-01-05T08:00", "closes_at": "2026-01-05T10:00"},
    )
    administration = Administration.objects.get(instrument=instrument)
    assert administration.opens_at.isoformat() == "2026-01-05T01:00:00+00:00"  # 08.00 WIB


def test_a_choice_question_with_two_right_answers_is_refused(world, literacy, quiz):
    cd = literacy.competences.get(code="CD")
    response = client_for(world.organiser).post(
        f"/competence/instruments/{quiz.instrument.pk}/",
        {"competence": cd.pk, "kind": "single", "text": "?", "options": "*a\n*b\nc", "points": 1},
    )
    assert response.status_code == 200
    assert response.context["item_form"].errors
    assert quiz.instrument.items.count() == 8


def _bank(rows):
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(banks.COLUMNS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "bank.xlsx"
    return out


def _row(competence, kind, text, options=(), correct="", points=1):
    opts = list(options) + [""] * (6 - len(options))
    return [competence, kind, text, *opts, correct, points]


def test_question_bank_preview_names_every_bad_row_and_imports_nothing(world, literacy, quiz):
    upload = _bank(
        [
            _row("CD", "single", "Good one", ["a", "b"], "B"),
            _row("XX", "single", "Unknown competence", ["a", "b"], "A"),
            _row("CD", "single", "Right option missing", ["a", "b"], "D"),
            _row("AD", "true_false", "Neither true nor false", [], "maybe"),
            _row("AD", "statement", "Wrong type for a test", [], ""),
        ]
    )
    response = client_for(world.organiser).post(
        f"/competence/instruments/{quiz.instrument.pk}/bank/import/", {"file": upload}
    )
    bad = {r.number: {field for field, _m in r.problems} for r in response.context["bad"]}
    assert bad == {3: {"competence"}, 4: {"correct"}, 5: {"correct"}, 6: {"type"}}
    assert "payload" not in response.context
    assert quiz.instrument.items.count() == 8


def test_question_bank_imports_after_preview_and_exports_the_same(world, literacy, quiz):
    instrument = services.create_instrument(
        world.programme, kind="knowledge", title="Bank", acting_user=world.organiser
    )
    upload = _bank(
        [
            _row("CD", "single", "Which app?", ["SRIKANDI", "Excel"], "A", 2),
            _row("ED", "multiple", "Pick two", ["x", "y", "z"], "A,C"),
            _row("AD", "true_false", "OTP is secret", [], "benar"),
        ]
    )
    client = client_for(world.organiser)
    preview = client.post(f"/competence/instruments/{instrument.pk}/bank/import/", {"file": upload})
    assert preview.context["bad"] == []
    client.post(
        f"/competence/instruments/{instrument.pk}/bank/import/",
        {"payload": preview.context["payload"]},
    )
    items = list(instrument.items.order_by("order"))
    assert [(i.kind, i.correct, i.points) for i in items] == [
        ("single", [0], 2),
        ("multiple", [0, 2], 1),
        ("true_false", [0], 1),
    ]
    exported = client.get(f"/competence/instruments/{instrument.pk}/bank.xlsx")
    rows, problems = banks.read_bank(exported.content, instrument)
    assert problems == [] and all(not r.problems for r in rows)
    assert [r.spec.correct for r in rows if r.spec] == [[0], [0, 2], [0]]


def test_items_are_frozen_once_people_have_taken_the_instrument(world, quiz):
    take(world.participant, quiz.pre, {})
    with pytest.raises(services.CompetenceError) as caught:
        services.add_items(
            quiz.instrument,
            [services.ItemSpec("CD", "true_false", "Late question", [], [0])],
            acting_user=world.organiser,
        )
    assert caught.value.code == "instrument_in_use"
    assert Item.objects.filter(instrument=quiz.instrument).count() == 8


def test_an_instrument_is_given_once_per_phase(world, quiz):
    with pytest.raises(services.CompetenceError) as caught:
        services.create_administration(
            quiz.instrument,
            phase="pre",
            opens_at=quiz.pre.opens_at,
            closes_at=quiz.pre.closes_at,
            acting_user=world.organiser,
        )
    assert caught.value.code == "phase_taken"
