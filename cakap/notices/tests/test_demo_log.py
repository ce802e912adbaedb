"""The demo has a delivery log (issue 11's proof): superiors named, the clinic telling
them, this morning's notices made (decision 93)."""

import datetime

import pytest
import time_machine
from django.core.management import call_command

from cakap.core.formatting import JAKARTA
from cakap.notices.models import Channel, Delivery, NoticeKind

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_delivery_log(capsys):
    # A Tuesday: the clinic meets on Wednesday, and two weeks of meetings are behind it.
    with time_machine.travel(datetime.datetime(2026, 12, 8, 10, 0, tzinfo=JAKARTA), tick=False):
        call_command("seed_demo")
    kinds = set(Delivery.objects.values_list("kind", flat=True))
    assert {NoticeKind.BEHIND_TARGET, NoticeKind.STAFF_BEHIND, NoticeKind.SESSION_TOMORROW} <= kinds
    assert Delivery.objects.filter(channel=Channel.WHATSAPP).exists()
