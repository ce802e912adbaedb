"""A province-scale programme to measure with: `seed_province()` builds, in one
transaction and with bulk inserts, a regency's unit tree (a secretariat, dinas and badan
each with divisions), the people, one running programme of `groups` groups with
`sessions_per_group` sessions each, the attendance records of the sessions already held
(mostly present; one participant in seven attends poorly, so some are at risk or can no
longer reach the target), and the personas a benchmark signs in as:

- the organiser (ORGANISER over the organising badan, BKPSDM),
- the Bupati (LEADER over the regency root: sees everyone),
- the head of one dinas (LEADER over Dinas 01 and its divisions),
- one coach per group (a coach of that group),
- one participant with a login.

`personas(programme)` finds them again (reads only). Shared by the benchmarks in bench/
(attendance, dashboard, competence); run it on an empty database or one seeded before:
each call makes its own regency, so names and emails carry the call's number.

    import bench.province as province
    programme = province.seed_province(participants=2_000, groups=10)
    who = province.personas(programme)
    client.force_login(who.regency_leader)

Django must be set up first (the benchmarks do it).
"""

import datetime
import random
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cakap.attendance.models import AttendanceRecord, Method, Status
from cakap.core.formatting import JAKARTA
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.models import Enrolment, Group, Programme, Session

DOMAIN = "province.bench"
BATCH = 5_000
OPDS = 12  # dinas and badan under the regency, besides the secretariat
DIVISIONS = 3  # bidang in each of them
FIRST_NAMES = [
    "Adi", "Budi", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hadi", "Indah", "Joko",
    "Kartika", "Lestari", "Made", "Nur", "Oki", "Putri", "Rahmat", "Sari", "Tono", "Wulan",
]  # fmt: skip
LAST_NAMES = [
    "Saputra", "Wijaya", "Lubis", "Siregar", "Nasution", "Hidayat", "Pratama", "Rahayu",
    "Santoso", "Kurniawan", "Harahap", "Putra", "Susanti", "Syahputra", "Marpaung",
]  # fmt: skip
ABSENCES = [Status.IZIN, Status.SAKIT, Status.DINAS_LUAR, Status.ALPA]


@dataclass
class Personas:
    organiser: User
    regency_leader: User
    unit_leader: User
    coach: User  # of the first group
    participant: User
    regency: Unit
    leader_unit: Unit  # the unit (with its divisions) the unit leader sees


def _tag() -> str:
    """This call's number: 1 on an empty database."""
    return str(Unit.objects.filter(parent=None, name__startswith="Kabupaten Provinsia").count() + 1)


def _login(email: str, name: str) -> User:
    return User.objects.create(email=email, display_name=name, password="!")  # noqa: S106


def seed_province(
    *,
    participants: int = 20_000,
    groups: int = 100,
    sessions_per_group: int = 12,
    held_sessions: int | None = None,
    seed: int = 1,
) -> Programme:
    """The programme described above; `held_sessions` (default half of them) have been
    held and have everyone's record, the others are planned from tomorrow on."""
    held = sessions_per_group // 2 if held_sessions is None else held_sessions
    if not 0 <= held <= sessions_per_group or groups < 1 or participants < groups:
        raise ValueError("inconsistent province sizes")
    rng = random.Random(seed)
    with transaction.atomic():
        return _seed(rng, participants, groups, sessions_per_group, held)


def _seed(rng: random.Random, n: int, groups: int, per_group: int, held: int) -> Programme:
    tag = _tag()
    # --- Units: a handful of saves (the path is set on save), the rest is bulk.
    regency = Unit.objects.create(
        name=f"Kabupaten Provinsia {tag}", short_name=f"Provinsia {tag}", kind="regency"
    )
    Unit.objects.create(
        name="Sekretariat Daerah", short_name="Setda", kind="secretariat", parent=regency
    )
    opds: list[Unit] = []
    workplaces: list[Unit] = []  # participants work in the OPDs or in their divisions
    for i in range(1, OPDS + 1):
        kind = "dinas" if i <= OPDS * 2 // 3 else "badan"
        opd = Unit.objects.create(
            name=f"{'Dinas' if kind == 'dinas' else 'Badan'} {i:02d}",
            short_name=f"OPD{i:02d}",
            kind=kind,
            parent=regency,
        )
        opds.append(opd)
        workplaces.append(opd)
        workplaces.extend(
            Unit.objects.create(name=f"Bidang {i:02d}.{j}", kind="bidang", parent=opd)
            for j in range(1, DIVISIONS + 1)
        )
    bkpsdm = Unit.objects.create(name="BKPSDM", short_name="BKPSDM", kind="badan", parent=regency)

    # --- Staff and personas, each with a login.
    nip_base = int(tag) * 10**9

    def person(k: int, name: str, unit: Unit, user: User | None, position: str = "") -> Person:
        return Person(
            nip=f"19{nip_base + k:016d}", name=name, unit=unit, user=user, position=position
        )

    organiser = _login(f"organiser{tag}@{DOMAIN}", "Organiser")
    bupati = _login(f"bupati{tag}@{DOMAIN}", "Bupati")
    kadis = _login(f"kadis{tag}@{DOMAIN}", "Kepala Dinas 01")
    coach_users = User.objects.bulk_create(
        User(
            email=f"coach{tag}-{g + 1:03d}@{DOMAIN}",
            password="!",  # noqa: S106 - an unusable password: force_login only
            feed_token=secrets.token_urlsafe(24),
        )
        for g in range(groups)
    )
    participant_user = _login(f"peserta{tag}@{DOMAIN}", "Peserta")
    staff = [
        person(0, "Organiser Provinsia", bkpsdm, organiser, "Analis SDM Aparatur"),
        person(1, "Bupati Provinsia", regency, bupati, "Bupati"),
        person(2, "Kepala Dinas 01", opds[0], kadis, "Kepala Dinas"),
    ]
    coaches = [
        person(10 + g, f"Coach {g + 1:03d}", bkpsdm, u, "Widyaiswara")
        for g, u in enumerate(coach_users)
    ]
    Person.objects.bulk_create(staff + coaches)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=organiser, role=RoleAssignment.Role.ORGANISER, unit=bkpsdm),
            RoleAssignment(user=bupati, role=RoleAssignment.Role.LEADER, unit=regency),
            RoleAssignment(user=kadis, role=RoleAssignment.Role.LEADER, unit=opds[0]),
            *(
                RoleAssignment(user=u, role=RoleAssignment.Role.COACH, unit=bkpsdm)
                for u in coach_users
            ),
        ]
    )

    # --- The programme, its groups and sessions.
    today = timezone.localdate()
    first = today - datetime.timedelta(days=7 * held - 1)
    programme = Programme.objects.create(
        title=f"Klinik Digital Provinsia {tag}",
        organiser_unit=bkpsdm,
        coaching_unit=bkpsdm,
        status=Programme.Status.RUNNING,
        start_date=first,
        end_date=first + datetime.timedelta(days=7 * per_group + 5),
        target_sessions=per_group,
        min_attendance_pct=80,
    )
    group_list = Group.objects.bulk_create(
        Group(programme=programme, name=f"Kelompok {g + 1:03d}") for g in range(groups)
    )
    Group.coaches.through.objects.bulk_create(
        Group.coaches.through(group_id=g.pk, person_id=c.pk)
        for g, c in zip(group_list, coaches, strict=True)
    )
    sessions: list[Session] = []
    for g, group in enumerate(group_list):
        for k in range(per_group):
            day = first + datetime.timedelta(days=7 * k + g % 5)
            starts = datetime.datetime.combine(day, datetime.time(9), tzinfo=JAKARTA)
            sessions.append(
                Session(
                    group=group,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2),
                    venue=f"Aula {g % 7 + 1}",
                    topic=f"Pertemuan {k + 1}",
                    coach=coaches[g],
                    status=Session.Status.HELD if k < held else Session.Status.PLANNED,
                )
            )
    sessions = Session.objects.bulk_create(sessions, batch_size=BATCH)
    held_of: dict[int, list[Session]] = {}
    for s in sessions:
        if s.status == Session.Status.HELD:
            held_of.setdefault(s.group_id, []).append(s)

    # --- Participants: spread over the workplaces, grouped in order.
    people = [
        person(
            1_000 + i,
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {i + 1:05d}",
            workplaces[i % len(workplaces)],
            participant_user if i == 0 else None,
            "Pelaksana",
        )
        for i in range(n)
    ]
    people = Person.objects.bulk_create(people, batch_size=BATCH)
    per = -(-n // groups)
    Enrolment.objects.bulk_create(
        (
            Enrolment(programme=programme, group=group_list[i // per], person=p)
            for i, p in enumerate(people)
        ),
        batch_size=BATCH,
    )

    # --- The held sessions' records: most attend, one in seven attends poorly.
    batch: list[AttendanceRecord] = []
    for i, p in enumerate(people):
        group = group_list[i // per]
        poor = rng.random() < 1 / 7
        for s in held_of.get(group.pk, []):
            if rng.random() < (0.55 if poor else 0.96):
                status = Status.TERLAMBAT if rng.random() < 0.1 else Status.HADIR
                late = 15 if status == Status.TERLAMBAT else 0
                record = AttendanceRecord(
                    session=s,
                    person=p,
                    status=status,
                    method=Method.CODE,
                    checked_in_at=s.starts_at + datetime.timedelta(minutes=late),
                    minutes_late=late,
                )
            else:
                status = rng.choice(ABSENCES)
                record = AttendanceRecord(
                    session=s,
                    person=p,
                    status=status,
                    method=Method.AUTO_CLOSE if status == Status.ALPA else Method.EXCUSE,
                    reason="" if status == Status.ALPA else "Surat keterangan",
                )
            batch.append(record)
        if len(batch) >= BATCH:
            AttendanceRecord.objects.bulk_create(batch)
            batch = []
    AttendanceRecord.objects.bulk_create(batch)
    return programme


def personas(programme: Programme) -> Personas:
    """The logins `seed_province` made for `programme` (a few reads, no writes)."""
    regency = programme.organiser_unit.parent
    assert regency is not None, "not a seeded province"
    tag = regency.name.rsplit(" ", 1)[-1]
    emails = [f"{who}{tag}@{DOMAIN}" for who in ("organiser", "bupati", "kadis", "peserta")]
    emails.append(f"coach{tag}-001@{DOMAIN}")
    by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
    first_group = programme.groups.order_by("name").first()
    assert first_group is not None
    return Personas(
        organiser=by_email[f"organiser{tag}@{DOMAIN}"],
        regency_leader=by_email[f"bupati{tag}@{DOMAIN}"],
        unit_leader=by_email[f"kadis{tag}@{DOMAIN}"],
        coach=by_email[f"coach{tag}-001@{DOMAIN}"],
        participant=by_email[f"peserta{tag}@{DOMAIN}"],
        regency=regency,
        leader_unit=Unit.objects.get(parent=regency, short_name="OPD01"),
    )
