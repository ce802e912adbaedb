"""The world of the scope sweep (test_scope_sweep.py): the conftest personas' programme
with everything a route can name, a second programme in another regency, ten personas,
and a fingerprint of every Cakap table.

Three sets of objects, so that each persona can be handed the nearest ids it must not
reach (sweep_routes.py chooses which set per persona and rule):

- "A": the conftest programme, group A and what belongs to the participant;
- "B": the same programme, group B and what belongs to other_participant;
- "F": a programme of another regency, organised by a unit that only unit_organiser
  manages, with f_participant in its one group.

Programme-level objects (programme, module, instruments, administrations, items) are
the same in A and B; group-level ones (group, session, person, enrolment, record,
attempt, absence request, personal link, a WhatsApp delivery) differ.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client

from cakap.attendance import links
from cakap.attendance.models import (
    AbsenceRequest,
    AttendancePolicy,
    AttendanceRecord,
    Method,
    SessionVenue,
    Status,
)
from cakap.competence import services as competence
from cakap.competence.models import Administration, Attempt, Framework, Instrument, Item, Level
from cakap.competence.services import ItemSpec
from cakap.competence.tests.helpers import QUIZ, right_answer
from cakap.core.formatting import JAKARTA
from cakap.notices.models import Channel, NoticeKind
from cakap.notices.services import notify
from cakap.people import tokens
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.models import Enrolment, Group, Module, Programme, Session
from conftest import World, make_world

# Monday 23 November 2026, 10:30 WIB: the programmes run, this morning's sessions began
# at 09:00 (their check-in window closed at 10:00), the administrations are open.
NOW = datetime.datetime(2026, 11, 23, 10, 30, tzinfo=JAKARTA)

PERSONAS = (
    "admin",
    "organiser",
    "coach",
    "participant",
    "other_participant",
    "leader",
    "leader_other",
    "unit_organiser",
    "f_participant",
    "anonymous",
)

# Models whose rows are not the product's data: the request's session store.
# The log of reads of personal data is written by reads in scope (decision 86;
# cakap/privacy/tests prove that a refused request logs nothing).
NOT_FINGERPRINTED = {"core.usersession", "people.dataread"}
FINGERPRINTED_APPS = (
    "core",
    "people",
    "notices",
    "programmes",
    "attendance",
    "competence",
    "admin",
)


@dataclass
class ObjectSet:
    """The objects of one set (A, B or F), by kind, as sweep_routes names them."""

    objects: dict[str, Any] = field(default_factory=dict)

    def pk(self, kind: str) -> int:
        return int(self.objects[kind].pk)


@dataclass
class SweepWorld:
    world: World
    users: dict[str, User | None]
    sets: dict[str, ObjectSet]
    sessions: dict[str, str] = field(default_factory=dict)  # persona -> session key
    tables: list[str] = field(default_factory=list)  # fingerprinted
    baseline: dict[str, tuple[int, str]] = field(default_factory=dict)  # as built

    def client(self, persona: str) -> Client:
        """A fresh client signed in as `persona` with its session made at setup, so that
        no request of the sweep writes a session row of its own."""
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        key = self.sessions.get(persona)
        if key:
            client.cookies[settings.SESSION_COOKIE_NAME] = key
        return client


def _programme_objects(user: User, programme: Programme, framework: Framework) -> dict[str, Any]:
    """The programme's framework, a knowledge test given as an open pre-test, and an
    observation checklist given the same way, made through the services."""
    competence.set_programme_framework(programme, framework, acting_user=user)
    quiz = competence.create_instrument(
        programme, kind=Instrument.Kind.KNOWLEDGE, title="Q", acting_user=user
    )
    items = competence.add_items(quiz, QUIZ, acting_user=user)
    observation = competence.create_instrument(
        programme, kind=Instrument.Kind.OBSERVATION, title="Observe", acting_user=user
    )
    competence.add_items(
        observation, [ItemSpec("CD", "check", "Sends a letter", [], [])], acting_user=user
    )
    opens, closes = NOW - datetime.timedelta(days=1), NOW + datetime.timedelta(days=2)
    pre = competence.create_administration(
        quiz, phase="pre", opens_at=opens, closes_at=closes, acting_user=user
    )
    observed = competence.create_administration(
        observation, phase="pre", opens_at=opens, closes_at=closes, acting_user=user
    )
    return {
        "programme": programme,
        "module": Module.objects.filter(programme=programme).first(),
        "instrument": quiz,
        "item": items[0],
        "administration": pre,
        "observation": observed,
        "framework": framework,
    }


def _group_objects(
    actor: User, session: Session, person: Person, administration: Administration
) -> dict[str, Any]:
    """What belongs to `person` in `session`'s group: a record, a submitted attempt, a
    pending absence request for a later session, a personal link, an API token."""
    programme = session.group.programme
    record = AttendanceRecord.objects.create(
        session=session, person=person, status=Status.HADIR, method=Method.MANUAL
    )
    assert person.user is not None
    attempt = competence.start_attempt(administration, acting_user=person.user)
    items = list(Item.objects.filter(instrument=administration.instrument))
    competence.save_answers(
        attempt, {i.pk: right_answer(i) for i in items}, acting_user=person.user
    )
    competence.submit_attempt(attempt, acting_user=person.user)
    absence = AbsenceRequest.objects.create(
        session=session, person=person, status=Status.IZIN, reason="Rapat dinas"
    )
    link = links.issue_personal_link(person, programme, acting_user=actor)
    token, _key = tokens.issue_token(person.user, "Sweep", acting_user=None)
    (delivery,) = notify(
        person,
        kind=NoticeKind.SESSION_TOMORROW,
        key=f"sweep:{session.pk}",
        subject="Sesi besok",
        body="Sesi besok",
        channels=(Channel.WHATSAPP,),
        programme_ref=programme.pk,
        session_ref=session.pk,
    )
    return {
        "group": session.group,
        "session": session,
        "person": person,
        "enrolment": Enrolment.objects.get(person=person, programme=programme),
        "record": record,
        "attempt": Attempt.objects.get(pk=attempt.pk),
        "absence": absence,
        "link": link,
        "coach": session.group.coaches.get(),
        "token": token,
        "delivery": delivery,
    }


def _foreign_programme(admin: User) -> tuple[dict[str, Any], Person, User]:
    """Another regency's programme, with its own organiser (over one unit only), coach
    and participant."""
    regency = Unit.objects.create(name="Kabupaten Lain", kind=Unit.Kind.REGENCY)
    bkpsdm = Unit.objects.create(name="BKPSDM Lain", parent=regency, kind=Unit.Kind.BADAN)
    kominfo = Unit.objects.create(name="Diskominfo Lain", parent=regency, kind=Unit.Kind.DINAS)
    dinas = Unit.objects.create(name="Dinas Lain", parent=regency, kind=Unit.Kind.DINAS)
    organiser = User.objects.create_user(email="unit-organiser@example.test")
    Person.objects.create(
        nip="197507072003121007", name="Unit Organiser", unit=bkpsdm, user=organiser
    )
    RoleAssignment.objects.create(user=organiser, role="organiser", unit=bkpsdm)
    coach = Person.objects.create(
        nip="198008082005011008",
        name="Foreign Coach",
        unit=kominfo,
        user=User.objects.create_user(email="f-coach@example.test"),
    )
    participant_user = User.objects.create_user(email="f-participant@example.test")
    participant = Person.objects.create(
        nip="197909092004122009",
        name="Foreign Participant",
        unit=dinas,
        user=participant_user,
        email="f-participant@example.test",
    )
    programme = Programme.objects.create(
        title="Klinik Lain",
        organiser_unit=bkpsdm,
        coaching_unit=kominfo,
        start_date=NOW.date() - datetime.timedelta(days=7),
        end_date=NOW.date() + datetime.timedelta(days=21),
        status=Programme.Status.RUNNING,
        target_sessions=12,
    )
    module = Module.objects.create(programme=programme, order=1, title="Spreadsheet")
    group = Group.objects.create(programme=programme, name="F1")
    group.coaches.add(coach)
    Enrolment.objects.create(programme=programme, group=group, person=participant)
    start = NOW.replace(hour=9, minute=0)
    session = Session.objects.create(
        group=group,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        module=module,
        coach=coach,
        venue="Aula Lain",
    )
    objects = _programme_objects(organiser, programme, _literacy())
    # Organisers' own frameworks: every signed-in user reads them all.
    objects["framework"] = _own_framework("kerangka-lain", bkpsdm, organiser)
    objects.update(_group_objects(admin, session, participant, objects["administration"]))
    return objects, participant, organiser


def _literacy() -> Framework:
    return Framework.objects.get(builtin=True, code="literasi-digital-4-pilar")


def _own_framework(code: str, unit: Unit, user: User) -> Framework:
    framework = Framework.objects.create(
        code=code, name=code, builtin=False, owner_unit=unit, created_by=user
    )
    Level.objects.create(framework=framework, number=1, name="Basic")
    return framework


def build() -> SweepWorld:
    """Everything the sweep requests, made once per module (inside the module's
    transaction, at NOW)."""
    if Framework.objects.filter(builtin=True).count() < 2:
        competence.load_shipped_frameworks()
    world = make_world()
    # Group B's coach, whom nobody of group A has anything to do with.
    world.group_b.coaches.add(
        Person.objects.create(
            nip="198106062006041006",
            name="Coach B",
            unit=world.diskominfo,
            user=User.objects.create_user(email="coach-b@example.test"),
            phone="0812000000",
        )
    )
    for session in (world.session_a, world.session_b):
        SessionVenue.objects.create(session=session)
    AttendancePolicy.objects.create(programme=world.programme)
    admin = world.admin
    shared = _programme_objects(world.organiser, world.programme, _literacy())
    shared["framework"] = _own_framework("kerangka-kabupaten", world.bkpsdm, world.organiser)
    me = Person.objects.get(user=world.participant)
    other = Person.objects.get(user=world.other_participant)
    a = ObjectSet(
        {**shared, **_group_objects(admin, world.session_a, me, shared["administration"])}
    )
    b = ObjectSet(
        {**shared, **_group_objects(admin, world.session_b, other, shared["administration"])}
    )
    f_objects, f_person, unit_organiser = _foreign_programme(admin)
    users: dict[str, User | None] = {
        "admin": world.admin,
        "organiser": world.organiser,
        "coach": world.coach,
        "participant": world.participant,
        "other_participant": world.other_participant,
        "leader": world.leader,
        "leader_other": world.leader_other,
        "unit_organiser": unit_organiser,
        "f_participant": f_person.user,
        "anonymous": None,
    }
    sweep = SweepWorld(world, users, {"A": a, "B": b, "F": ObjectSet(f_objects)})
    for persona, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sweep.sessions[persona] = client.session.session_key or ""
    sweep.tables = fingerprinted_tables()
    sweep.baseline = fingerprint(sweep.tables)
    return sweep


def fingerprinted_tables() -> list[str]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.app_label in FINGERPRINTED_APPS and label not in NOT_FINGERPRINTED:
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def fingerprint(tables: list[str]) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row of every table: a change anywhere shows."""
    result = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest = hashlib.blake2b("\n".join(rows).encode(), digest_size=12).hexdigest()
            result[table] = (len(rows), digest)
    return result


def changes_since_built(sweep: SweepWorld) -> list[str]:
    """Tables whose rows differ from the world as built."""
    after = fingerprint(sweep.tables)
    return [t for t in sweep.tables if sweep.baseline[t] != after[t]]
