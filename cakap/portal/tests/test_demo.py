import datetime

import time_machine
from django.core.management import call_command

from cakap.core.formatting import JAKARTA
from cakap.people.models import Person, User
from cakap.people.nip import parse_nip
from cakap.programmes.models import Enrolment, Programme, Session


@time_machine.travel(datetime.datetime(2026, 11, 28, 8, 0, tzinfo=JAKARTA), tick=False)
def test_demo_seeds_the_case_once_with_a_session_today(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # the second run changes nothing
    out = capsys.readouterr().out
    assert "already seeded" in out
    assert "bkpsdm@cakap.demo" in out

    running = Programme.objects.get(title="Coaching Clinic Literasi Digital ASN")
    assert running.status == Programme.Status.RUNNING
    assert running.start_date <= datetime.date(2026, 11, 28) <= running.end_date
    assert Enrolment.objects.filter(programme=running, status="active").count() == 24
    assert Session.objects.filter(
        group__programme=running, starts_at__date=datetime.date(2026, 11, 28)
    ).exists()
    past = Programme.objects.get(status=Programme.Status.FINISHED)
    assert past.start_date == datetime.date(2023, 7, 3)

    for person in Person.objects.all():
        assert parse_nip(person.nip).digits == person.nip
    assert Person.objects.filter(job_level="III").count() == 24
    for email in [
        "admin@cakap.demo",
        "bkpsdm@cakap.demo",
        "coach1@cakap.demo",
        "peserta@cakap.demo",
        "sekda@cakap.demo",
    ]:
        assert User.objects.get(email=email).check_password("cakap-demo-2026")
