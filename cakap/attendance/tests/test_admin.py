"""The attendance admin: policies are changed with a trail and never deleted; records are
read only."""

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


def test_changing_a_policy_in_the_admin_is_audited(world):
    policy = AttendancePolicy.objects.create(programme=world.programme)
    response = client_for(world.admin).post(
        f"/admin/attendance/attendancepolicy/{policy.pk}/change/",
        {
            "programme": world.programme.pk,
            "opens_before_min": 30,
            "closes_after_min": 60,
            "late_after_min": 15,
            "code_period_s": 30,
            "code_grace_s": 30,
            "location_mode": "off",
            "shared_device": "refuse",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="attendancepolicy.admin_updated")
    assert entry.actor == world.admin and entry.changes == {"late_after_min": [10, 15]}


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
