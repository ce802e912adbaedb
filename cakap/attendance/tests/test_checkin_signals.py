"""A check-in is written through the ORM: the model's signals are sent."""

import time_machine
from django.db.models.signals import post_save, pre_save

from cakap.attendance.models import AttendanceChange, AttendanceRecord
from cakap.attendance.tests.test_checkin import DEVICE, at_minutes, check_in
from cakap.attendance.tests.test_checkin_pages import scan_url
from conftest import client_for


def test_a_scan_check_in_sends_pre_save_and_post_save(world):
    seen: list[tuple[str, int | None, bool]] = []

    def before(sender, instance, **kwargs):
        seen.append(("pre", instance.person_id, instance._state.adding))

    def after(sender, instance, created, **kwargs):
        seen.append(("post", instance.person_id, created))

    pre_save.connect(before, sender=AttendanceRecord)
    post_save.connect(after, sender=AttendanceRecord)
    try:
        client = client_for(world.participant)
        at = at_minutes(world, 2)
        url = scan_url(world.session_a, at)
        with time_machine.travel(at, tick=False):
            client.get(url)
            answer = client.post(url, headers={"X-Cakap-Fetch": "1"})
    finally:
        pre_save.disconnect(before, sender=AttendanceRecord)
        post_save.disconnect(after, sender=AttendanceRecord)
    assert 'data-outcome="hadir"' in answer.content.decode()
    record = AttendanceRecord.objects.get(session=world.session_a)
    assert seen == [("pre", record.person_id, True), ("post", record.person_id, True)]
    assert AttendanceChange.objects.filter(record=record).count() == 1


def test_a_repeated_check_in_sends_no_save(world):
    check_in(world, at_minutes(world, 1))
    calls = []

    def after(sender, **kwargs):
        calls.append(kwargs["created"])

    post_save.connect(after, sender=AttendanceRecord)
    try:
        again = check_in(world, at_minutes(world, 2), device=DEVICE)
    finally:
        post_save.disconnect(after, sender=AttendanceRecord)
    assert not again.created and calls == []
