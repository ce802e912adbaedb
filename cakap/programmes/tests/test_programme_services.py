"""Programme, module and group services: every rule, its error code, and the audit trail."""

import datetime

import pytest

from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes import services
from cakap.programmes.models import Group, Module, Programme


def _fields(world, **over):
    fields = {
        "title": "Kelas Digital",
        "organiser_unit": world.bkpsdm,
        "coaching_unit": world.diskominfo,
        "start_date": datetime.date(2026, 1, 5),
        "end_date": datetime.date(2026, 2, 5),
        "target_sessions": 12,
        "min_attendance_pct": 80,
        "jp_credit": 20,
        "pass_criteria": {"min_post_score": 70, "require_tasks": True},
    }
    fields.update(over)
    return fields


def _entries(obj, action):
    return AuditEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


def test_create_programme_writes_it_and_an_audit_entry(world):
    programme = services.create_programme(**_fields(world), acting_user=world.organiser)
    programme.refresh_from_db()
    assert programme.status == Programme.Status.DRAFT
    assert programme.pass_criteria == {"min_post_score": 70, "require_tasks": True}
    entry = _entries(programme, "programme.created").get()
    assert entry.actor == world.organiser
    assert entry.changes["title"] == [None, "Kelas Digital"]


def test_create_programme_refuses_end_before_start(world):
    count = Programme.objects.count()
    with pytest.raises(services.ProgrammeError) as exc:
        services.create_programme(
            **_fields(world, end_date=datetime.date(2025, 12, 31)), acting_user=world.organiser
        )
    assert exc.value.code == "dates_order"
    assert exc.value.field == "end_date"
    assert Programme.objects.count() == count
    assert not AuditEntry.objects.filter(action="programme.created").exists()


@pytest.mark.parametrize("pct", [-1, 101, 250])
def test_create_programme_refuses_attendance_out_of_range(world, pct):
    with pytest.raises(services.ProgrammeError) as exc:
        services.create_programme(
            **_fields(world, min_attendance_pct=pct), acting_user=world.organiser
        )
    assert exc.value.code == "attendance_pct_range"


@pytest.mark.parametrize("pct", [0, 100])
def test_attendance_bounds_are_allowed(world, pct):
    programme = services.create_programme(
        **_fields(world, min_attendance_pct=pct), acting_user=world.organiser
    )
    assert programme.min_attendance_pct == pct


@pytest.mark.parametrize(
    "criteria",
    [{"min_post_score": 101}, {"unknown": 1}, {"require_tasks": "yes"}, ["min_post_score"]],
)
def test_bad_pass_criteria_are_refused(world, criteria):
    with pytest.raises(services.ProgrammeError) as exc:
        services.create_programme(
            **_fields(world, pass_criteria=criteria), acting_user=world.organiser
        )
    assert exc.value.code == "pass_criteria"


def test_unknown_field_is_refused(world):
    with pytest.raises(services.ProgrammeError) as exc:
        services.create_programme(**_fields(world, created_at=None), acting_user=world.organiser)
    assert exc.value.code == "unknown_field"


def test_blank_title_is_refused_naming_the_field(world):
    with pytest.raises(services.ProgrammeError) as exc:
        services.create_programme(**_fields(world, title=""), acting_user=world.organiser)
    assert exc.value.code == "invalid"
    assert exc.value.field == "title"


def test_new_programme_cannot_start_finished(world):
    with pytest.raises(services.ProgrammeError) as exc:
        services.create_programme(**_fields(world, status="finished"), acting_user=world.organiser)
    assert exc.value.code == "status_transition"


def test_organiser_cannot_create_outside_own_scope(world):
    # The leader holds no organiser role anywhere.
    with pytest.raises(services.ProgrammeError) as exc:
        services.create_programme(**_fields(world), acting_user=world.leader)
    assert exc.value.code == "out_of_scope"


def test_system_and_admin_may_create_anywhere(world):
    assert services.create_programme(**_fields(world), acting_user=None).pk
    assert services.create_programme(**_fields(world), acting_user=world.admin).pk


def test_update_programme_records_before_and_after(world):
    programme = world.programme
    services.update_programme(
        programme, title="Klinik Digital", jp_credit=30, acting_user=world.organiser
    )
    assert programme.title == "Klinik Digital"
    programme.refresh_from_db()
    assert (programme.title, programme.jp_credit) == ("Klinik Digital", 30)
    entry = _entries(programme, "programme.updated").get()
    assert entry.changes == {"jp_credit": [0, 30], "title": ["Coaching Clinic", "Klinik Digital"]}


def test_update_without_changes_writes_nothing(world):
    services.update_programme(world.programme, title="Coaching Clinic", acting_user=world.organiser)
    assert not _entries(world.programme, "programme.updated").exists()


def test_update_refuses_end_before_start_and_keeps_the_row(world):
    programme = world.programme
    with pytest.raises(services.ProgrammeError) as exc:
        services.update_programme(
            programme,
            title="Changed",
            end_date=programme.start_date - datetime.timedelta(days=1),
            acting_user=world.organiser,
        )
    assert exc.value.code == "dates_order"
    programme.refresh_from_db()
    assert programme.title == "Coaching Clinic"


@pytest.mark.parametrize(
    ("start", "to", "ok"),
    [
        ("draft", "running", True),
        ("running", "finished", True),
        ("draft", "cancelled", True),
        ("running", "cancelled", True),
        ("finished", "cancelled", True),
        ("draft", "finished", False),
        ("running", "draft", False),
        ("finished", "running", False),
        ("cancelled", "running", False),
        ("cancelled", "draft", False),
    ],
)
def test_status_transitions(world, start, to, ok):
    programme = world.programme
    Programme.objects.filter(pk=programme.pk).update(status=start)
    programme.refresh_from_db()
    if ok:
        services.update_programme(programme, status=to, acting_user=world.organiser)
        programme.refresh_from_db()
        assert programme.status == to
    else:
        with pytest.raises(services.ProgrammeError) as exc:
            services.update_programme(programme, status=to, acting_user=world.organiser)
        assert exc.value.code == "status_transition"
        programme.refresh_from_db()
        assert programme.status == start


def test_moving_a_programme_out_of_scope_is_refused(world):
    other_region = world.regency.__class__.objects.create(name="Kabupaten Lain")
    with pytest.raises(services.ProgrammeError) as exc:
        services.update_programme(
            world.programme, organiser_unit=other_region, acting_user=world.organiser
        )
    assert exc.value.code == "out_of_scope"


# Modules


def test_add_module_appends_and_audits(world):
    module = services.add_module(world.programme, title="SRIKANDI", acting_user=world.organiser)
    assert module.order == 2
    assert _entries(module, "module.added").exists()
    first = services.add_module(
        world.programme, title="Intro", order=1, acting_user=world.organiser
    )
    assert first.order == 1


def test_add_module_requires_a_title(world):
    with pytest.raises(services.ModuleError) as exc:
        services.add_module(world.programme, title="  ", acting_user=world.organiser)
    assert exc.value.code == "invalid"
    assert exc.value.field == "title"


def test_update_module_records_change(world):
    module = services.add_module(world.programme, title="E-Kinerja", acting_user=world.organiser)
    services.update_module(
        module, title="e-Kinerja", summary="Laporan", acting_user=world.organiser
    )
    module.refresh_from_db()
    assert module.title == "e-Kinerja"
    entry = _entries(module, "module.updated").get()
    assert entry.changes["title"] == ["E-Kinerja", "e-Kinerja"]


def test_update_module_refuses_other_fields(world):
    module = world.programme.modules.get()
    with pytest.raises(services.ModuleError) as exc:
        services.update_module(module, programme=None, acting_user=world.organiser)  # type: ignore[call-arg]
    assert exc.value.code == "unknown_field"


def test_module_used_by_a_session_cannot_be_removed(world):
    module = world.programme.modules.get()
    with pytest.raises(services.ModuleError) as exc:
        services.remove_module(module, acting_user=world.organiser)
    assert exc.value.code == "module_in_use"
    assert Module.objects.filter(pk=module.pk).exists()


def test_unused_module_is_removed_with_an_audit_entry_and_twice_is_harmless(world):
    module = services.add_module(world.programme, title="TTE", acting_user=world.organiser)
    pk = module.pk
    services.remove_module(module, acting_user=world.organiser)
    services.remove_module(Module(pk=pk), acting_user=world.organiser)
    assert not Module.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="module.removed", object_id=str(pk))
    assert entry.changes["title"] == ["TTE", None]


# Groups


def test_create_group_with_coaches(world):
    coach = Person.objects.get(user=world.coach)
    group = services.create_group(
        world.programme, name="C", coaches=[coach], acting_user=world.organiser
    )
    assert list(group.coaches.all()) == [coach]
    entry = _entries(group, "group.created").get()
    assert entry.changes["coaches"] == [None, [coach.pk]]


def test_group_names_are_unique_in_a_programme(world):
    with pytest.raises(services.GroupError) as exc:
        services.create_group(world.programme, name="a", acting_user=world.organiser)
    assert exc.value.code == "group_name_taken"
    assert Group.objects.filter(programme=world.programme).count() == 2


def test_group_name_is_required(world):
    with pytest.raises(services.GroupError) as exc:
        services.create_group(world.programme, name="", acting_user=world.organiser)
    assert exc.value.code == "invalid"


def test_set_group_coaches_replaces_them_and_audits(world):
    coach = Person.objects.get(user=world.coach)
    organiser = Person.objects.get(user=world.organiser)
    services.set_group_coaches(world.group_a, [organiser], acting_user=world.organiser)
    assert list(world.group_a.coaches.all()) == [organiser]
    entry = _entries(world.group_a, "group.coaches_set").get()
    assert entry.changes == {"coaches": [[coach.pk], [organiser.pk]]}
    services.set_group_coaches(world.group_a, [organiser], acting_user=world.organiser)
    assert _entries(world.group_a, "group.coaches_set").count() == 1
