"""A person's data in every app: `give_data` fills it in for one participant, so that a
test can look for each piece in their export and for none of it in another's."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile

from cakap.attendance import links
from cakap.attendance import services as attendance
from cakap.attendance.models import CheckInAttempt, Method, Status
from cakap.competence.tests.helpers import make_quiz, right_answer, take, wrong_answer
from cakap.people import services as people
from cakap.people import tokens
from cakap.people.models import Person, User
from cakap.programmes.models import Session


def give_data(world, user: User, session: Session, marker: str) -> SimpleNamespace:
    """Data about `user`'s person in every app, each piece carrying `marker`."""
    person = Person.objects.get(user=user)
    people.update_person(
        person, phone="081234567890", position=f"Kepala {marker}", acting_user=world.organiser
    )
    record, _changed = attendance.apply_status(
        session,
        person,
        Status.HADIR,
        Method.CODE,
        acting_user=user,
        checked_in_at=session.starts_at,
        device_id=f"phone-{marker}",
        latitude=Decimal("-1.234567"),
        longitude=Decimal("101.234567"),
        accuracy_m=12,
    )
    attendance.apply_status(
        session,
        person,
        Status.SAKIT,
        Method.MANUAL,
        acting_user=world.coach,
        reason=f"demam {marker}",
    )
    CheckInAttempt.objects.create(
        session=session, person=person, reason="expired", device_id=f"phone-{marker}"
    )
    later = Session.objects.create(
        group=session.group,
        starts_at=session.starts_at + datetime.timedelta(days=2),
        ends_at=session.ends_at + datetime.timedelta(days=2),
    )
    absence = attendance.request_absence(
        later,
        Status.DINAS_LUAR,
        f"rapat {marker}",
        ContentFile(b"surat tugas", name=f"surat-{marker}.pdf"),
        acting_user=user,
    )
    link = links.issue_personal_link(person, world.programme, acting_user=world.organiser)
    token, _key = tokens.issue_token(user, f"token {marker}", acting_user=user)
    return SimpleNamespace(
        person=person, record=record, absence=absence, link=link, token=token, later=later
    )


def give_results(world, literacy) -> SimpleNamespace:
    """Both participants take the pre-test: one all right, one all wrong."""
    quiz = make_quiz(world, literacy)
    take(world.participant, quiz.pre, {i.pk: right_answer(i) for i in quiz.items})
    take(world.other_participant, quiz.pre, {i.pk: wrong_answer(i) for i in quiz.items})
    return quiz
