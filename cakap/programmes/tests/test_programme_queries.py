"""Query counts of the programme list and the group page do not grow with their rows."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cakap.people.models import Person
from cakap.programmes.models import Enrolment, Group, Programme, Session
from conftest import client_for


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _more_programmes(world, n):
    for i in range(n):
        programme = Programme.objects.create(
            title=f"Programme {i}",
            organiser_unit=world.bkpsdm,
            coaching_unit=world.diskominfo,
            start_date=world.programme.start_date,
            end_date=world.programme.end_date,
        )
        group = Group.objects.create(programme=programme, name="A")
        person = Person.objects.create(
            nip=f"198001012005012{i + 100:03d}", name=f"P{i}", unit=world.dinkes
        )
        Enrolment.objects.create(programme=programme, group=group, person=person)


def _more_participants(world, n):
    for i in range(n):
        person = Person.objects.create(
            nip=f"198001012005011{i + 100:03d}", name=f"Peserta {i}", unit=world.dinkes
        )
        Enrolment.objects.create(programme=world.programme, group=world.group_a, person=person)


def test_programme_list_queries_are_pinned(world, django_assert_max_num_queries):
    client = client_for(world.organiser)
    few = _count(client, "/programmes/")
    _more_programmes(world, 15)
    assert _count(client, "/programmes/") == few
    with django_assert_max_num_queries(9):
        response = client.get("/programmes/")
    assert len(response.context["programmes"]) == 16


def test_group_page_queries_are_pinned(world, django_assert_max_num_queries):
    client = client_for(world.organiser)
    url = f"/programmes/groups/{world.group_a.pk}/"
    few = _count(client, url)
    _more_participants(world, 15)
    # Ended enrolments and more sessions appear in their own lists, at no extra cost per row.
    ended = Enrolment.objects.filter(group=world.group_a).order_by("pk")[0]
    Enrolment.objects.filter(pk=ended.pk).update(status="withdrawn", end_reason="x")
    start = world.session_a.starts_at
    for day in range(1, 6):
        Session.objects.create(
            group=world.group_a,
            starts_at=start + datetime.timedelta(days=day),
            ends_at=start + datetime.timedelta(days=day, hours=2),
        )
    assert _count(client, url) == few
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["active"]) == 15


def test_programme_detail_queries_do_not_grow_with_groups(world, django_assert_max_num_queries):
    client = client_for(world.organiser)
    url = f"/programmes/{world.programme.pk}/"
    few = _count(client, url)
    for i in range(10):
        Group.objects.create(programme=world.programme, name=f"G{i}")
    assert _count(client, url) == few
