"""Organiser pages for programmes, modules and groups, through the HTTP client."""

import datetime

from django.db.models import F

from cakap.core.models import AuditEntry
from cakap.people.models import Person
from cakap.programmes.models import Group, Module, Programme, Session
from conftest import client_for, in_english


def _form(world, **over):
    data = {
        "title": "Kelas SRIKANDI",
        "organiser_unit": world.bkpsdm.pk,
        "coaching_unit": world.diskominfo.pk,
        "learning_form": "coaching",
        "start_date": "2026-01-05",
        "end_date": "2026-02-05",
        "description": "Tiga kali seminggu",
        "status": "draft",
        "target_sessions": "12",
        "min_attendance_pct": "80",
        "jp_credit": "20",
        "min_post_score": "70",
        "require_tasks": "on",
    }
    data.update(over)
    return data


def test_list_shows_a_new_button_only_to_organisers(world):
    assert "/programmes/new/" in client_for(world.organiser).get("/programmes/").content.decode()
    assert "/programmes/new/" not in client_for(world.coach).get("/programmes/").content.decode()


def test_list_filters_by_status(world):
    Programme.objects.create(
        title="Draft one",
        organiser_unit=world.bkpsdm,
        coaching_unit=world.diskominfo,
        start_date=world.programme.start_date,
        end_date=world.programme.end_date,
    )
    client = client_for(world.organiser)
    titles = [p.title for p in client.get("/programmes/?status=draft").context["programmes"]]
    assert titles == ["Draft one"]
    titles = [p.title for p in client.get("/programmes/?status=running").context["programmes"]]
    assert titles == ["Coaching Clinic"]
    everything = client.get("/programmes/?status=bogus").context["programmes"]
    assert len(everything) == 2


def test_list_counts_active_participants(world):
    response = client_for(world.organiser).get("/programmes/")
    assert [p.n_participants for p in response.context["programmes"]] == [2]


def test_organiser_creates_a_programme(world):
    response = client_for(world.organiser).post("/programmes/new/", _form(world))
    programme = Programme.objects.get(title="Kelas SRIKANDI")
    assert response.status_code == 302
    assert response["Location"] == f"/programmes/{programme.pk}/"
    assert programme.organiser_unit == world.bkpsdm
    assert programme.jp_credit == 20
    assert programme.pass_criteria == {"min_post_score": 70, "require_tasks": True}
    assert AuditEntry.objects.filter(
        action="programme.created", object_id=str(programme.pk), actor=world.organiser
    ).exists()


def test_end_before_start_is_shown_on_the_form_and_nothing_is_saved(world):
    response = client_for(world.organiser).post(
        "/programmes/new/", _form(world, end_date="2025-12-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"]
    assert not Programme.objects.filter(title="Kelas SRIKANDI").exists()


def test_attendance_above_100_is_refused_by_the_form(world):
    response = client_for(world.organiser).post(
        "/programmes/new/", _form(world, min_attendance_pct="120")
    )
    assert response.context["form"].errors["min_attendance_pct"]
    assert not Programme.objects.filter(title="Kelas SRIKANDI").exists()


def test_organiser_edits_a_programme(world):
    url = f"/programmes/{world.programme.pk}/edit/"
    client = client_for(world.organiser)
    assert client.get(url).context["form"].initial["title"] == "Coaching Clinic"
    data = _form(
        world,
        title="Klinik Teknologi",
        status="finished",
        start_date=str(world.programme.start_date),
        end_date=str(world.programme.end_date),
        min_post_score="",
        require_tasks="",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.title == "Klinik Teknologi"
    assert world.programme.status == "finished"
    assert world.programme.pass_criteria == {}
    entry = AuditEntry.objects.get(action="programme.updated", object_id=str(world.programme.pk))
    assert entry.changes["status"] == ["running", "finished"]


def test_saving_an_unchanged_form_writes_no_audit_entry(world):
    client = client_for(world.organiser)
    url = f"/programmes/{world.programme.pk}/edit/"
    initial = client.get(url).context["form"].initial
    data = {k: ("" if v is None else v) for k, v in initial.items()}
    data["organiser_unit"], data["coaching_unit"] = world.bkpsdm.pk, world.diskominfo.pk
    data["require_tasks"] = ""
    assert client.post(url, data).status_code == 302
    assert not AuditEntry.objects.filter(action="programme.updated").exists()


def test_a_refused_status_change_is_shown_on_the_status_field(world):
    url = f"/programmes/{world.programme.pk}/edit/"
    data = _form(
        world,
        status="draft",
        start_date=str(world.programme.start_date),
        end_date=str(world.programme.end_date),
    )
    response = client_for(world.organiser).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["status"]
    world.programme.refresh_from_db()
    assert world.programme.status == "running"
    assert world.programme.title == "Coaching Clinic"


def test_detail_shows_modules_groups_sessions_and_calendar_links(world):
    # The personas' sessions are today; put them tomorrow so they are upcoming at any hour.
    day = datetime.timedelta(days=1)
    Session.objects.update(starts_at=F("starts_at") + day, ends_at=F("ends_at") + day)
    response = client_for(world.organiser).get(f"/programmes/{world.programme.pk}/")
    body = response.content.decode()
    pk = world.programme.pk
    assert f"/programmes/{pk}/calendar/" in body
    assert f"/programmes/{pk}/calendar/week/" in body
    assert f"/programmes/{pk}/schedule/generate/" in body
    assert "Email" in body
    groups = {g.name: g.n_participants for g in response.context["groups"]}
    assert groups == {"A": 1, "B": 1}
    assert {s.pk for s in response.context["sessions"]} == {
        world.session_a.pk,
        world.session_b.pk,
    }


def test_module_add_edit_and_remove(world):
    client = client_for(world.organiser)
    pk = world.programme.pk
    response = client.post(f"/programmes/{pk}/modules/new/", {"title": "SRIKANDI"})
    assert response.status_code == 302
    module = Module.objects.get(title="SRIKANDI")
    assert module.order == 2
    response = client.post(
        f"/programmes/modules/{module.pk}/edit/",
        {"title": "SRIKANDI (surat elektronik)", "summary": "Naskah dinas", "order": ""},
    )
    module.refresh_from_db()
    assert (module.title, module.summary, module.order) == (
        "SRIKANDI (surat elektronik)",
        "Naskah dinas",
        2,
    )
    response = client.post(f"/programmes/modules/{module.pk}/remove/")
    assert response.status_code == 302
    assert not Module.objects.filter(pk=module.pk).exists()


def test_a_module_in_use_is_not_removed(world):
    module = world.programme.modules.get()
    response = in_english(client_for(world.organiser)).post(
        f"/programmes/modules/{module.pk}/remove/", follow=True
    )
    assert Module.objects.filter(pk=module.pk).exists()
    assert "cannot be removed" in response.content.decode()


def test_module_remove_needs_post(world):
    module = world.programme.modules.get()
    response = client_for(world.organiser).get(f"/programmes/modules/{module.pk}/remove/")
    assert response.status_code == 405


def test_organiser_creates_a_group_with_a_coach(world):
    coach = Person.objects.get(user=world.coach)
    response = client_for(world.organiser).post(
        f"/programmes/{world.programme.pk}/groups/new/", {"name": "C", "coaches": [coach.pk]}
    )
    group = Group.objects.get(programme=world.programme, name="C")
    assert response["Location"] == f"/programmes/groups/{group.pk}/"
    assert list(group.coaches.all()) == [coach]


def test_a_taken_group_name_is_shown_on_the_form(world):
    response = client_for(world.organiser).post(
        f"/programmes/{world.programme.pk}/groups/new/", {"name": "A"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Group.objects.filter(programme=world.programme).count() == 2


def test_coaches_come_from_the_coaching_unit(world):
    response = client_for(world.organiser).get(f"/programmes/{world.programme.pk}/groups/new/")
    names = [p.name for p in response.context["form"].fields["coaches"].queryset]
    assert names == ["Coach"]


def test_organiser_changes_the_coaches_of_a_group(world):
    coach = Person.objects.get(user=world.coach)
    response = client_for(world.organiser).post(
        f"/programmes/groups/{world.group_b.pk}/coaches/", {"coaches": [coach.pk]}
    )
    assert response.status_code == 302
    assert list(world.group_b.coaches.all()) == [coach]
    assert AuditEntry.objects.filter(
        action="group.coaches_set", object_id=str(world.group_b.pk)
    ).exists()
