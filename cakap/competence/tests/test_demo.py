import io

from django.core.management import call_command

from cakap.competence.models import Attempt, Instrument
from cakap.people.models import User
from conftest import client_for


def test_the_demo_clinic_gets_a_pre_and_post_test_with_answers(shipped):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_competence_demo", stdout=io.StringIO())
    call_command("seed_competence_demo", stdout=io.StringIO())  # the second run changes nothing
    quiz = Instrument.objects.get()
    assert (
        Attempt.objects.filter(administration__phase="pre", submitted_at__isnull=False).count()
        == 24
    )
    assert Attempt.objects.filter(administration__phase="post").count() == 12
    organiser = User.objects.get(email="bkpsdm@cakap.demo")
    response = client_for(organiser).get(f"/competence/instruments/{quiz.pk}/results/")
    assert response.status_code == 200
    assert response.context["tables"][0][1][0].overall.n == 12
