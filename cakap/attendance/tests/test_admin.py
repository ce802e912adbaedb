"""The attendance admin is read only: policies and venues are set on the organiser's
pages, through the service that validates them (decision 83); records are read only."""

import pytest

from cakap.attendance.models import (
    AttendancePolicy,
    AttendanceRecord,
    Method,
    Status,
)
from cakap.core.models import AuditEntry
from cakap.people.models import Person
from conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_policy_cannot_be_changed_in_the_admin(world):
    policy = AttendancePolicy.objects.create(programme=world.programme)
    client = client_for(world.admin)
    assert client.get(f"/admin/attendance/attendancepolicy/{policy.pk}/change/").status_code == 200
    response = client.post(
        f"/admin/attendance/attendancepolicy/{policy.pk}/change/",
        {
            "programme": world.programme.pk,
            "opens_before_min": 30,
            "closes_after_min": 60,
            "late_after_min": 90,
            "code_period_s": 30,
            "code_grace_s": 30,
            "location_mode": "off",
            "shared_device": "refuse",
            "radius_m": 200,
        },
    )
    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.late_after_min == 10
    assert not AuditEntry.objects.exists()


def test_policies_cannot_be_deleted_in_the_admin(world):
    policy = AttendancePolicy.objects.create(programme=world.programme)
    response = client_for(world.admin).post(
        f"/admin/attendance/attendancepolicy/{policy.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert AttendancePolicy.objects.filter(pk=policy.pk).exists()


def test_records_are_read_only_in_the_admin(world):
    record = AttendanceRecord.objects.create(
        session=world.session_a,
        person=Person.objects.get(user=world.participant),
        status=Status.HADIR,
        method=Method.CODE,
    )
    client = client_for(world.admin)
    assert client.get(f"/admin/attendance/attendancerecord/{record.pk}/change/").status_code == 200
    client.post(f"/admin/attendance/attendancerecord/{record.pk}/delete/", {"post": "yes"})
    assert AttendanceRecord.objects.filter(pk=record.pk).exists()
