"""The bulk enrolment pages through the HTTP client: the filtered list with checkboxes,
"enrol all matching", the pasted NIPs with their preview, and moving or withdrawing
many. Each asserts what changed in the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakap.core.models import AuditEntry
from cakap.people.models import Person, Unit
from cakap.programmes.models import Enrolment, Programme
from conftest import client_for, in_english

NEW_A = "198001012005011001"
NEW_B = "198202022006042002"
NEW_C = "197503032001121003"


@pytest.fixture
def bidang(world):
    return Unit.objects.create(name="Bidang Pelayanan", parent=world.dinkes, kind=Unit.Kind.BIDANG)


@pytest.fixture
def newcomers(world, bidang):
    return [
        Person.objects.create(
            nip=NEW_A, name="Rina Satu", unit=world.dinkes, rank="III/c", job_level="III"
        ),
        Person.objects.create(
            nip=NEW_B, name="Sari Dua", unit=bidang, rank="IV/a", job_level="", employee_type="pppk"
        ),
        Person.objects.create(
            nip=NEW_C, name="Tono Tiga", unit=world.kecamatan, rank="III/c", job_level="IV"
        ),
    ]


@pytest.fixture
def elsewhere(db):
    unit = Unit.objects.create(name="Kabupaten Lain", kind=Unit.Kind.REGENCY)
    return Person.objects.create(nip="197707072002121007", name="Rina Lain", unit=unit)


def _many(world, group=None):
    return f"/programmes/groups/{(group or world.group_a).pk}/enrol/many/"


def _paste(world):
    return f"/programmes/groups/{world.group_a.pk}/enrol/paste/"


def _change(world):
    return f"/programmes/groups/{world.group_a.pk}/participants/change/"


def _listed(response):
    return [p.name for p in response.context["people"]]


# The filtered list --------------------------------------------------------------------------


def test_the_list_offers_people_not_yet_in_the_programme_by_default(world, newcomers):
    response = client_for(world.organiser).get(_many(world))
    names = _listed(response)
    assert {"Rina Satu", "Sari Dua", "Tono Tiga"} <= set(names)
    assert "Participant" not in names and "Other" not in names


def test_the_list_never_offers_people_outside_the_organisers_units(world, elsewhere):
    response = client_for(world.organiser).get(_many(world), {"in_programme": "all"})
    assert "Rina Lain" not in _listed(response)


def test_everyone_shows_who_is_already_in_a_group(world, newcomers):
    response = in_english(client_for(world.organiser)).get(_many(world), {"in_programme": "all"})
    body = response.content.decode()
    assert "Participant" in _listed(response)
    assert "In this group" in body
    assert "In group B" in body


def test_a_unit_filter_takes_its_sub_units(world, newcomers, bidang):
    response = client_for(world.organiser).get(_many(world), {"unit": world.dinkes.pk})
    assert set(_listed(response)) >= {"Rina Satu", "Sari Dua"}
    assert "Tono Tiga" not in _listed(response)
    response = client_for(world.organiser).get(_many(world), {"unit": bidang.pk})
    assert _listed(response) == ["Sari Dua"]


def test_rank_job_level_type_and_search_filter(world, newcomers):
    client = client_for(world.organiser)
    assert _listed(client.get(_many(world), {"rank": "III/c"})) == ["Rina Satu", "Tono Tiga"]
    assert _listed(client.get(_many(world), {"job_level": "IV"})) == ["Tono Tiga"]
    assert "Sari Dua" in _listed(client.get(_many(world), {"job_level": "none"}))
    assert "Rina Satu" not in _listed(client.get(_many(world), {"job_level": "none"}))
    assert _listed(client.get(_many(world), {"employee_type": "pppk"})) == ["Sari Dua"]
    assert _listed(client.get(_many(world), {"q": "19820202 2006"})) == ["Sari Dua"]
    assert _listed(client.get(_many(world), {"q": "tono"})) == ["Tono Tiga"]


def test_a_bad_filter_is_named_and_lists_nobody(world, newcomers):
    response = in_english(client_for(world.organiser)).get(_many(world), {"rank": "X/z"})
    assert response.status_code == 200
    assert _listed(response) == []
    assert "Select a valid choice" in response.content.decode()


def test_the_list_pages_in_a_fixed_number_of_queries(world):
    client = client_for(world.organiser)
    client.get(_many(world))  # warm the session
    for i in range(3):
        Person.objects.create(nip=f"19800101200501100{i + 1}", name=f"A{i}", unit=world.dinkes)
    with CaptureQueriesContext(connection) as few:
        before = client.get(_many(world)).context["total"]
    for i in range(40):
        Person.objects.create(nip=f"19800101200502{1000 + i + 1}", name=f"B{i}", unit=world.dinkes)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_many(world))
    assert response.context["total"] == before + 40
    assert len(response.context["people"]) == min(50, before + 40)
    assert len(many) == len(few) <= 14


def test_the_list_is_for_the_programmes_organisers_only(world):
    for user in (world.coach, world.participant, world.leader):
        assert client_for(user).get(_many(world)).status_code == 404


# Enrolling from the list --------------------------------------------------------------------


def test_ticked_people_are_enrolled_in_one_submit(world, newcomers):
    picked = [newcomers[0].pk, newcomers[2].pk]
    response = client_for(world.organiser).post(
        _many(world), {"scope": "selected", "person": picked}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "programmes/enrol_result.html"
    active = Enrolment.objects.active().filter(group=world.group_a)
    assert set(active.values_list("person_id", flat=True)) >= set(picked)
    assert not Enrolment.objects.filter(person=newcomers[1]).exists()
    assert AuditEntry.objects.filter(action="enrolment.created").count() == 2


def test_repeating_the_submit_enrols_nobody_twice(world, newcomers):
    client = client_for(world.organiser)
    data = {"scope": "selected", "person": [newcomers[0].pk]}
    client.post(_many(world), data)
    response = in_english(client).post(_many(world), data)
    assert Enrolment.objects.filter(person=newcomers[0]).count() == 1
    assert "Already in group A." in response.content.decode()


def test_all_matching_the_filter_are_enrolled(world, newcomers):
    response = client_for(world.organiser).post(
        _many(world), {"scope": "all", "rank": "III/c", "expected": "2"}
    )
    assert response.status_code == 200
    enrolled = set(
        Enrolment.objects.filter(group=world.group_a).values_list("person__name", flat=True)
    )
    assert {"Rina Satu", "Tono Tiga"} <= enrolled
    assert "Sari Dua" not in enrolled


def test_all_matching_refuses_when_the_list_changed_since_it_was_seen(world, newcomers):
    response = in_english(client_for(world.organiser)).post(
        _many(world), {"scope": "all", "rank": "III/c", "expected": "5"}
    )
    assert response.status_code == 400
    assert "The list changed" in response.content.decode()
    assert not Enrolment.objects.filter(person__in=newcomers).exists()


def test_a_ticked_person_outside_the_organisers_units_enrols_nobody(world, newcomers, elsewhere):
    response = in_english(client_for(world.organiser)).post(
        _many(world), {"scope": "selected", "person": [newcomers[0].pk, elsewhere.pk]}
    )
    assert response.status_code == 400
    assert "not in your units" in response.content.decode()
    assert not Enrolment.objects.filter(person__in=[newcomers[0], elsewhere]).exists()


def test_garbage_in_the_selection_is_refused_without_a_change(world, newcomers):
    for bad in (["abc"], ["99999999999999999999999"], ["-1"]):
        response = client_for(world.organiser).post(
            _many(world), {"scope": "selected", "person": bad}
        )
        assert response.status_code == 400
    assert not Enrolment.objects.filter(person__in=newcomers).exists()


def test_nothing_ticked_says_so(world, newcomers):
    response = in_english(client_for(world.organiser)).post(_many(world), {"scope": "selected"})
    assert response.status_code == 400
    assert "Tick at least one person" in response.content.decode()


def test_a_closed_programme_answers_with_a_message_not_an_error(world, newcomers):
    Programme.objects.filter(pk=world.programme.pk).update(status="cancelled")
    response = client_for(world.organiser).post(
        _many(world), {"scope": "selected", "person": [newcomers[0].pk]}
    )
    assert response.status_code == 400
    assert not Enrolment.objects.filter(person=newcomers[0]).exists()


def test_a_coach_cannot_enrol_from_the_list(world, newcomers):
    response = client_for(world.coach).post(
        _many(world), {"scope": "selected", "person": [newcomers[0].pk]}
    )
    assert response.status_code == 404
    assert not Enrolment.objects.filter(person=newcomers[0]).exists()


def test_the_list_page_is_indonesian_by_default(world, newcomers):
    body = client_for(world.organiser).get(_many(world)).content.decode()
    assert "Belum ada di program ini" in body
    assert "Select" not in body and "Enrol ticked" not in body


# Pasting NIPs --------------------------------------------------------------------------------


def _pasted(world, elsewhere):
    return "\n".join(
        [
            "19800101 200501 1 001",  # 1: will be enrolled
            "196803032000121003",  # 2: the participant, already in group A
            "197204042001022004",  # 3: the other participant, in group B
            "199901012020011099",  # 4: nobody has it
            elsewhere.nip,  # 5: outside the organiser's units
            "12345",  # 6: malformed
            "198001012005011001",  # 7: repeats line 1
        ]
    )


def test_the_preview_says_per_line_what_would_happen_and_changes_nothing(
    world, newcomers, elsewhere
):
    before = (Enrolment.objects.count(), AuditEntry.objects.count())
    response = client_for(world.organiser).post(
        _paste(world), {"nips": _pasted(world, elsewhere), "action": "preview"}
    )
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [(line.line, line.outcome) for line in lines] == [
        (1, "will_enrol"),
        (2, "already_in_group"),
        (3, "in_other_group"),
        (4, "unknown_nip"),
        (5, "out_of_scope"),
        (6, "malformed"),
        (7, "repeated"),
    ]
    assert lines[4].person is None  # someone outside is never named
    assert "Rina Lain" not in response.content.decode()
    assert (Enrolment.objects.count(), AuditEntry.objects.count()) == before


def test_the_preview_speaks_english_when_chosen(world, newcomers, elsewhere):
    response = in_english(client_for(world.organiser)).post(
        _paste(world), {"nips": _pasted(world, elsewhere), "action": "preview"}
    )
    body = response.content.decode()
    assert "Already in group B of this programme" in body
    assert "outside your units" in body
    assert "Repeats line 1" in body
    assert "Enrol 1 person" in body


def test_confirm_enrols_the_lines_that_can_be_and_reports_the_rest(world, newcomers, elsewhere):
    response = client_for(world.organiser).post(
        _paste(world), {"nips": _pasted(world, elsewhere), "action": "confirm"}
    )
    assert response.status_code == 200
    assert response.templates[0].name == "programmes/enrol_result.html"
    assert Enrolment.objects.active().get(person=newcomers[0]).group == world.group_a
    assert Enrolment.objects.active().get(person__nip="197204042001022004").group == world.group_b
    assert not Enrolment.objects.filter(person=elsewhere).exists()
    rows = response.context["rows"]
    assert {r.line for r in rows} == {1, 2, 3, 4, 5, 6, 7}


def test_confirming_twice_enrols_nobody_twice(world, newcomers, elsewhere):
    client = client_for(world.organiser)
    data = {"nips": _pasted(world, elsewhere), "action": "confirm"}
    client.post(_paste(world), data)
    response = client.post(_paste(world), data)
    assert Enrolment.objects.filter(person=newcomers[0]).count() == 1
    assert response.status_code == 400  # nobody left to enrol: the preview says why


def test_an_empty_paste_is_named(world):
    response = in_english(client_for(world.organiser)).post(
        _paste(world), {"nips": " \n ,, ", "action": "preview"}
    )
    assert response.status_code == 400
    assert "Paste at least one NIP" in response.content.decode()


def test_a_coach_cannot_paste(world, newcomers):
    response = client_for(world.coach).post(_paste(world), {"nips": NEW_A, "action": "confirm"})
    assert response.status_code == 404
    assert not Enrolment.objects.filter(person=newcomers[0]).exists()


def test_the_preview_takes_a_fixed_number_of_queries(world):
    client = client_for(world.organiser)
    people = [
        Person.objects.create(nip=f"19800101200501{1000 + i + 1}", name=f"C{i}", unit=world.dinkes)
        for i in range(30)
    ]
    client.get(_paste(world))
    with CaptureQueriesContext(connection) as few:
        client.post(_paste(world), {"nips": people[0].nip, "action": "preview"})
    with CaptureQueriesContext(connection) as many:
        client.post(_paste(world), {"nips": "\n".join(p.nip for p in people), "action": "preview"})
    assert len(many) == len(few)


# Moving and withdrawing many ------------------------------------------------------------------


@pytest.fixture
def group_of_four(world, newcomers):
    client_for(world.organiser).post(
        _many(world), {"scope": "selected", "person": [p.pk for p in newcomers]}
    )
    return list(Enrolment.objects.active().filter(group=world.group_a).order_by("pk"))


def test_ticked_participants_move_to_another_group_with_history(world, group_of_four):
    ticked = [e.pk for e in group_of_four[:2]]
    response = client_for(world.organiser).post(
        _change(world),
        {"enrolment": ticked, "action": "move", "to_group": world.group_b.pk, "reason": "Bentrok"},
    )
    assert response.status_code == 200
    for e in Enrolment.objects.filter(pk__in=ticked):
        assert (e.status, e.end_reason) == ("moved", "Bentrok")
        assert Enrolment.objects.active().get(person=e.person_id).group == world.group_b
    assert Enrolment.objects.active().filter(group=world.group_a).count() == 2


def test_ticked_participants_are_withdrawn_with_the_reason(world, group_of_four):
    ticked = [e.pk for e in group_of_four[1:3]]
    client = client_for(world.organiser)
    client.post(_change(world), {"enrolment": ticked, "action": "withdraw", "reason": "Mutasi"})
    assert set(Enrolment.objects.filter(pk__in=ticked).values_list("status", "end_reason")) == {
        ("withdrawn", "Mutasi")
    }
    audits = AuditEntry.objects.count()
    response = in_english(client).post(
        _change(world), {"enrolment": ticked, "action": "withdraw", "reason": "Mutasi"}
    )
    assert AuditEntry.objects.count() == audits
    assert "Already withdrawn earlier." in response.content.decode()


def test_withdrawing_needs_a_reason(world, group_of_four):
    response = client_for(world.organiser).post(
        _change(world), {"enrolment": [group_of_four[0].pk], "action": "withdraw", "reason": ""}
    )
    assert response.status_code == 400
    assert Enrolment.objects.get(pk=group_of_four[0].pk).status == "active"


def test_moving_needs_a_target_group(world, group_of_four):
    response = in_english(client_for(world.organiser)).post(
        _change(world), {"enrolment": [group_of_four[0].pk], "action": "move", "reason": "R"}
    )
    assert response.status_code == 400
    assert "Choose the group" in response.content.decode()
    assert Enrolment.objects.get(pk=group_of_four[0].pk).status == "active"


def test_an_enrolment_of_another_group_is_refused_whole(world, group_of_four):
    other = Enrolment.objects.get(group=world.group_b)
    response = client_for(world.organiser).post(
        _change(world),
        {"enrolment": [group_of_four[0].pk, other.pk], "action": "withdraw", "reason": "R"},
    )
    assert response.status_code == 400
    assert Enrolment.objects.filter(status="withdrawn").count() == 0


def test_a_coach_cannot_move_or_withdraw_many(world, group_of_four):
    response = client_for(world.coach).post(
        _change(world), {"enrolment": [group_of_four[0].pk], "action": "withdraw", "reason": "R"}
    )
    assert response.status_code == 404
    assert Enrolment.objects.get(pk=group_of_four[0].pk).status == "active"


def test_the_group_page_links_the_bulk_pages_for_organisers_only(world):
    body = client_for(world.organiser).get(f"/programmes/groups/{world.group_a.pk}/").content
    assert _many(world).encode() in body and _paste(world).encode() in body
    body = client_for(world.coach).get(f"/programmes/groups/{world.group_a.pk}/").content
    assert _many(world).encode() not in body
