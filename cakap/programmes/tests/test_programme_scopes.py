"""Every programme page against every persona: in scope it answers, out of scope 404."""

import pytest

from cakap.programmes.models import Enrolment, Group, Module, Programme, Session
from conftest import client_for

PERSONAS = ["organiser", "coach", "participant", "other_participant", "leader", "leader_other"]
PERSONAS_AND_ADMIN = [*PERSONAS, "admin"]

# Who may read group A and its session: its organiser, coach, participant, the leader of
# the participant's unit, and the administrator.
GROUP_A_READERS = {"organiser", "coach", "participant", "leader", "admin"}
MANAGERS = {"organiser", "admin"}


def _read_pages(world):
    return {
        "programme-list": ("/programmes/", set(PERSONAS_AND_ADMIN)),
        "programme-detail": (
            f"/programmes/{world.programme.pk}/",
            set(PERSONAS_AND_ADMIN) - {"leader_other"},
        ),
        "group-detail": (f"/programmes/groups/{world.group_a.pk}/", GROUP_A_READERS),
        "session-detail": (f"/programmes/sessions/{world.session_a.pk}/", GROUP_A_READERS),
    }


def _write_pages(world):
    module = world.programme.modules.get()
    return {
        "programme-create": "/programmes/new/",
        "programme-edit": f"/programmes/{world.programme.pk}/edit/",
        "module-add": f"/programmes/{world.programme.pk}/modules/new/",
        "module-edit": f"/programmes/modules/{module.pk}/edit/",
        "group-create": f"/programmes/{world.programme.pk}/groups/new/",
        "session-create": f"/programmes/groups/{world.group_a.pk}/sessions/new/",
        "session-edit": f"/programmes/sessions/{world.session_a.pk}/edit/",
    }


@pytest.mark.parametrize(
    "page", ["programme-list", "programme-detail", "group-detail", "session-detail"]
)
@pytest.mark.parametrize("persona", PERSONAS_AND_ADMIN)
def test_read_pages_are_scoped(world, page, persona):
    url, readers = _read_pages(world)[page]
    response = client_for(getattr(world, persona)).get(url)
    assert response.status_code == (200 if persona in readers else 404)


@pytest.mark.parametrize(
    "page",
    [
        "programme-create",
        "programme-edit",
        "module-add",
        "module-edit",
        "group-create",
        "session-create",
        "session-edit",
    ],
)
@pytest.mark.parametrize("persona", PERSONAS_AND_ADMIN)
def test_write_pages_are_for_managers_only(world, page, persona):
    response = client_for(getattr(world, persona)).get(_write_pages(world)[page])
    assert response.status_code == (200 if persona in MANAGERS else 404)


def test_organiser_of_another_region_cannot_manage(world):
    from cakap.people.models import RoleAssignment, Unit, User

    elsewhere = Unit.objects.create(name="Kabupaten Lain")
    user = User.objects.create_user(email="org2@example.test", password="x")
    RoleAssignment.objects.create(user=user, role="organiser", unit=elsewhere)
    client = client_for(user)
    assert client.get(f"/programmes/{world.programme.pk}/").status_code == 404
    assert client.get(f"/programmes/{world.programme.pk}/edit/").status_code == 404
    assert client.get(f"/programmes/groups/{world.group_a.pk}/").status_code == 404
    # They may create programmes, but only for their own region.
    response = client.get("/programmes/new/")
    assert response.status_code == 200
    units = list(response.context["form"].fields["organiser_unit"].queryset)
    assert units == [elsewhere]


def _post_actions(world):
    enrolment = Enrolment.objects.get(group=world.group_a)
    module = world.programme.modules.get()
    return {
        "group-enrol": (
            f"/programmes/groups/{world.group_a.pk}/enrol/",
            {"person": Enrolment.objects.get(group=world.group_b).person_id},
        ),
        "group-coaches": (f"/programmes/groups/{world.group_a.pk}/coaches/", {"coaches": []}),
        "enrolment-move": (
            f"/programmes/enrolments/{enrolment.pk}/move/",
            {"to_group": world.group_b.pk, "reason": "x"},
        ),
        "enrolment-withdraw": (f"/programmes/enrolments/{enrolment.pk}/withdraw/", {"reason": "x"}),
        "module-remove": (f"/programmes/modules/{module.pk}/remove/", {}),
        "session-cancel": (
            f"/programmes/sessions/{world.session_a.pk}/cancel/",
            {"cancel-reason": "x"},
        ),
        "session-move": (
            f"/programmes/sessions/{world.session_a.pk}/move/",
            {
                "move-date": "2026-03-02",
                "move-start_time": "13:00",
                "move-end_time": "15:00",
                "move-reason": "x",
            },
        ),
    }


def _state():
    return (
        sorted(Enrolment.objects.values_list("pk", "group_id", "status")),
        sorted(Session.objects.values_list("pk", "status")),
        Module.objects.count(),
        sorted(Group.coaches.through.objects.values_list("group_id", "person_id")),
        Programme.objects.count(),
    )


@pytest.mark.parametrize(
    "action",
    [
        "group-enrol",
        "group-coaches",
        "enrolment-move",
        "enrolment-withdraw",
        "module-remove",
        "session-cancel",
        "session-move",
    ],
)
@pytest.mark.parametrize("persona", [*(p for p in PERSONAS if p not in MANAGERS), None])
def test_actions_refuse_non_managers_and_change_nothing(world, action, persona):
    url, data = _post_actions(world)[action]
    before = _state()
    user = getattr(world, persona) if persona else None
    response = client_for(user).post(url, data)
    if persona is None:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize(
    "url",
    [
        "/programmes/",
        "/programmes/new/",
        "/programmes/{p}/",
        "/programmes/{p}/edit/",
        "/programmes/groups/{g}/",
        "/programmes/sessions/{s}/",
    ],
)
def test_anonymous_is_sent_to_login(world, url):
    url = url.format(p=world.programme.pk, g=world.group_a.pk, s=world.session_a.pk)
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_coach_sees_the_group_read_only(world):
    response = client_for(world.coach).get(f"/programmes/groups/{world.group_a.pk}/")
    body = response.content.decode()
    assert "Participant" in body
    assert "/withdraw/" not in body
    assert "/enrol/" not in body
    assert not response.context["manage"]


def test_participant_sees_only_their_own_place_in_the_group(world):
    from cakap.people.models import Person

    classmate = Person.objects.create(nip="198001012005011001", name="Classmate", unit=world.dinkes)
    Enrolment.objects.create(programme=world.programme, group=world.group_a, person=classmate)
    response = client_for(world.participant).get(f"/programmes/groups/{world.group_a.pk}/")
    assert [e.person.name for e in response.context["active"]] == ["Participant"]
    assert "198001012005011001" not in response.content.decode()


def test_leader_sees_only_groups_with_people_of_their_unit(world):
    response = client_for(world.leader).get(f"/programmes/{world.programme.pk}/")
    assert [g.name for g in response.context["groups"]] == ["A"]
    assert not response.context["manage"]
    assert f"/programmes/{world.programme.pk}/edit/" not in response.content.decode()


def test_participant_session_page_has_no_cancel_or_move(world):
    response = client_for(world.participant).get(f"/programmes/sessions/{world.session_a.pk}/")
    body = response.content.decode()
    assert "/cancel/" not in body
    assert "/move/" not in body
