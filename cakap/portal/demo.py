"""The demo: Kabupaten Solok Selatan's coaching clinic on basic technology.

Every official here is fictitious: names, NIPs, phones and emails are made up for the
demo and belong to nobody. Units are the regency's real kinds of offices.
"""

import datetime
import random
from dataclasses import dataclass

import holidays as holidays_lib
from django.db import transaction
from django.utils import timezone

from cakap.attendance import reminders
from cakap.attendance.models import Method, Status
from cakap.attendance.services import apply_status
from cakap.core import audit
from cakap.core.formatting import JAKARTA
from cakap.people.models import Person, RoleAssignment, Unit, User
from cakap.programmes.models import Enrolment, Group, Module, Programme, Session

REGENCY = "Kabupaten Solok Selatan"
DEMO_PASSWORD = "cakap-demo-2026"  # noqa: S105 - printed for the demo, never for production
# The participant whose login the README and seed_demo show, with the NIP beside it.
PARTICIPANT_EMAIL = "peserta@cakap.demo"

DINAS = [
    ("Dinas Pendidikan dan Kebudayaan", "Disdikbud"),
    ("Dinas Kesehatan", "Dinkes"),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas PUPR"),
    ("Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak", "Dinsos P3A"),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
    ("Dinas Pertanian", "Distan"),
    ("Dinas Pariwisata, Pemuda dan Olahraga", "Disparpora"),
    ("Dinas Perhubungan", "Dishub"),
    ("Dinas Lingkungan Hidup", "DLH"),
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP"),
    ("Dinas Komunikasi dan Informatika", "Diskominfo"),
]
BADAN = [
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM"),
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("Badan Keuangan Daerah", "BKD"),
    ("Badan Penanggulangan Bencana Daerah", "BPBD"),
]
KECAMATAN = [
    "Sangir",
    "Sangir Jujuan",
    "Sangir Balai Janggo",
    "Sangir Batang Hari",
    "Sungai Pagu",
    "Pauh Duo",
    "Koto Parik Gadang Diateh",
]
# Fictitious officials: (title prefix, name, title suffix, sex digit, position, unit short name)
OFFICIALS = [
    ("", "Afrizal", "S.E., M.M.", "1", "Sekretaris Dinas", "Disdikbud"),
    ("", "Yulia Rahmawati", "S.Pd., M.Pd.", "2", "Kepala Bidang Pembinaan SD", "Disdikbud"),
    ("dr.", "Hendra Saputra", "M.K.M.", "1", "Sekretaris Dinas", "Dinkes"),
    ("", "Desi Marlina", "S.K.M.", "2", "Kepala Bidang Pelayanan Kesehatan", "Dinkes"),
    ("Ir.", "Syafrudin", "M.T.", "1", "Sekretaris Dinas", "Dinas PUPR"),
    ("", "Rini Oktavia", "S.T.", "2", "Kepala Bidang Bina Marga", "Dinas PUPR"),
    ("", "Zulkifli", "S.Sos.", "1", "Sekretaris Dinas", "Dinsos P3A"),
    ("", "Nurhayati", "S.Sos., M.Si.", "2", "Kepala Bidang Rehabilitasi Sosial", "Dinsos P3A"),
    ("", "Irwan Effendi", "S.H.", "1", "Sekretaris Dinas", "Disdukcapil"),
    (
        "",
        "Fitri Handayani",
        "S.Kom.",
        "2",
        "Kepala Bidang Pelayanan Pendaftaran Penduduk",
        "Disdukcapil",
    ),
    ("", "Masrizal", "S.P., M.P.", "1", "Kepala Bidang Tanaman Pangan", "Distan"),
    ("", "Elvi Susanti", "S.E.", "2", "Sekretaris Dinas", "Disparpora"),
    ("", "Budi Kurniawan", "S.STP., M.Si.", "1", "Kepala Bidang Lalu Lintas", "Dishub"),
    ("", "Asnimar", "S.Hut.", "2", "Kepala Bidang Pengendalian Pencemaran", "DLH"),
    ("", "Rahmat Hidayat", "S.E., M.Ak.", "1", "Kepala Bidang Anggaran", "BKD"),
    ("", "Sri Wahyuni", "S.E.", "2", "Sekretaris Badan", "Bappeda"),
    ("", "Joni Putra", "S.T., M.T.", "1", "Kepala Bidang Infrastruktur dan Kewilayahan", "Bappeda"),
    ("", "Yusnaidi", "S.Sos.", "1", "Kepala Pelaksana", "BPBD"),
    ("", "Alfian Syah", "S.STP., M.Si.", "1", "Camat", "Sangir"),
    ("", "Riko Saputra", "S.STP.", "1", "Camat", "Sangir Jujuan"),
    ("", "Hasanuddin", "S.Sos.", "1", "Camat", "Sangir Balai Janggo"),
    ("", "Dewi Sartika", "S.IP., M.Si.", "2", "Camat", "Sungai Pagu"),
    ("Drs.", "Erizon", "M.M.", "1", "Camat", "Pauh Duo"),
    ("", "Novia Eka Putri", "S.STP.", "2", "Camat", "Koto Parik Gadang Diateh"),
]
MODULES = [
    (
        "Ponsel pintar dan akun digital",
        "Mengatur ponsel, akun Google/email dinas, sandi yang aman.",
    ),
    ("Presensi elektronik", "Absen daring dari ponsel, lokasi dan bukti kehadiran."),
    (
        "Surel dinas dan berkas di awan",
        "Mengirim surel, lampiran, berbagi berkas di penyimpanan awan.",
    ),
    ("Dokumen perkantoran", "Membuat dan menyunting surat, tabel dan bahan paparan."),
    ("SRIKANDI: naskah dinas elektronik", "Membuat, memaraf dan mengirim surat dinas di SRIKANDI."),
    ("Tanda tangan elektronik (TTE) BSrE", "Sertifikat elektronik dan menandatangani dokumen."),
    ("e-Kinerja dan MyASN", "Rencana hasil kerja, realisasi dan bukti dukung kinerja."),
    ("Rapat daring", "Menjadwalkan dan memimpin rapat video."),
    ("Keamanan digital", "Kata sandi kuat, verifikasi dua langkah, mengenali phishing."),
    ("Etika dan budaya digital ASN", "Bermedia sosial sebagai ASN, hoaks dan data pribadi."),
    ("SIASN: data kepegawaian", "Memeriksa dan memperbarui riwayat kepegawaian."),
    ("Praktik terpadu dan evaluasi", "Tugas praktik dari surat masuk hingga laporan kinerja."),
]


@dataclass
class DemoLogin:
    role: str
    identifier: str
    who: str


def _nip(rng: random.Random, sex: str, seq: int) -> str:
    birth = datetime.date(rng.randint(1968, 1980), rng.randint(1, 12), rng.randint(1, 28))
    year = birth.year + rng.randint(23, 30)
    return f"{birth:%Y%m%d}{year}{rng.randint(1, 12):02d}{sex}{seq:03d}"


def _meeting_days(start: datetime.date, count: int, weekdays: set[int]) -> list[datetime.date]:
    """Working days on `weekdays` from `start`, skipping Indonesian holidays and cuti bersama."""
    off = holidays_lib.country_holidays(
        "ID", years=range(start.year, start.year + 2), categories=("public", "government")
    )
    days: list[datetime.date] = []
    day = start
    while len(days) < count:
        if day.weekday() in weekdays and day not in off:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def is_seeded() -> bool:
    return Unit.objects.filter(name=REGENCY, parent=None).exists()


def logins() -> list[DemoLogin]:
    return [
        DemoLogin("admin", "admin@cakap.demo", "Administrator sistem"),
        DemoLogin("organiser", "bkpsdm@cakap.demo", "Staf BKPSDM (penyelenggara)"),
        DemoLogin("coach", "coach1@cakap.demo", "Coach Diskominfo, kelompok A"),
        DemoLogin("participant", PARTICIPANT_EMAIL, "Sekretaris Disdikbud (peserta)"),
        DemoLogin("leader", "sekda@cakap.demo", "Sekretaris Daerah (pimpinan)"),
    ]


@transaction.atomic
def seed(today: datetime.date | None = None) -> None:
    """Create the whole demo in one transaction. Call only when `is_seeded()` is false."""
    today = today or timezone.localdate()
    rng = random.Random(20231)  # noqa: S311 - deterministic fictitious data
    regency = Unit.objects.create(name=REGENCY, short_name="Solok Selatan", kind=Unit.Kind.REGENCY)
    setda = Unit.objects.create(
        name="Sekretariat Daerah", short_name="Setda", kind=Unit.Kind.SECRETARIAT, parent=regency
    )
    units: dict[str, Unit] = {"Setda": setda}
    for name, short in DINAS:
        units[short] = Unit.objects.create(
            name=name, short_name=short, kind=Unit.Kind.DINAS, parent=regency
        )
    for name, short in BADAN:
        units[short] = Unit.objects.create(
            name=name, short_name=short, kind=Unit.Kind.BADAN, parent=regency
        )
    for name in KECAMATAN:
        units[name] = Unit.objects.create(
            name=f"Kecamatan {name}", short_name=name, kind=Unit.Kind.KECAMATAN, parent=regency
        )
    for parent, bidang in [
        ("Diskominfo", "Bidang Aplikasi Informatika"),
        ("Diskominfo", "Bidang Informasi dan Komunikasi Publik"),
        ("BKPSDM", "Bidang Pengembangan Kompetensi Aparatur"),
    ]:
        Unit.objects.create(name=bidang, kind=Unit.Kind.BIDANG, parent=units[parent])
    pengembangan = Unit.objects.get(name="Bidang Pengembangan Kompetensi Aparatur")
    aptika = Unit.objects.get(name="Bidang Aplikasi Informatika")

    def login(email: str, name: str, **extra: bool) -> User:
        return User.objects.create_user(
            email=email, password=DEMO_PASSWORD, display_name=name, **extra
        )

    admin = login("admin@cakap.demo", "Administrator", is_staff=True, is_superuser=True)
    seq = iter(range(1, 999))
    Person.objects.create(
        nip=_nip(rng, "2", next(seq)),
        name="Maisyarah",
        title_suffix="S.Psi.",
        rank="III/c",
        position="Analis SDM Aparatur Ahli Muda",
        job_level="functional",
        unit=pengembangan,
        email="bkpsdm@cakap.demo",
        phone="081266001001",
        user=(organiser_user := login("bkpsdm@cakap.demo", "Maisyarah, S.Psi.")),
    )
    RoleAssignment.objects.create(user=organiser_user, role="organiser", unit=regency)
    coaches = [
        Person.objects.create(
            nip=_nip(rng, sex, next(seq)),
            name=name,
            title_suffix=suffix,
            rank=rank,
            position=position,
            job_level="functional",
            unit=aptika,
            email=email,
            phone=phone,
            user=login(email, f"{name}, {suffix}"),
        )
        for name, suffix, sex, rank, position, email, phone in [
            (
                "Fadli Ramadhan",
                "S.Kom.",
                "1",
                "III/b",
                "Pranata Komputer Ahli Pertama",
                "coach1@cakap.demo",
                "081266002001",
            ),
            (
                "Putri Ananda",
                "S.Kom., M.Kom.",
                "2",
                "III/c",
                "Pranata Komputer Ahli Muda",
                "coach2@cakap.demo",
                "081266002002",
            ),
        ]
    ]
    sekda = Person.objects.create(
        nip=_nip(rng, "1", next(seq)),
        name="Yulian Efi",
        title_suffix="S.H., M.M.",
        rank="IV/c",
        position="Sekretaris Daerah",
        job_level="II",
        unit=setda,
        email="sekda@cakap.demo",
        user=(sekda_user := login("sekda@cakap.demo", "Sekretaris Daerah")),
    )
    RoleAssignment.objects.create(user=sekda_user, role="leader", unit=regency)

    officials = []
    for i, (prefix, name, suffix, sex, position, unit_key) in enumerate(OFFICIALS):
        email = PARTICIPANT_EMAIL if i == 0 else f"peserta{i + 1:02d}@cakap.demo"
        officials.append(
            Person.objects.create(
                nip=_nip(rng, sex, next(seq)),
                name=name,
                title_prefix=prefix,
                title_suffix=suffix,
                rank=rng.choice(["III/d", "IV/a", "IV/a", "IV/b"]),
                position=position if position != "Camat" else f"Camat {unit_key}",
                job_level="III",
                unit=units[unit_key],
                email=email,
                phone=f"0812660{i + 10:05d}",
                user=login(email, f"{name}, {suffix}"),
            )
        )

    # The running programme: one month, Monday/Wednesday/Friday, started ~2 weeks ago.
    start = today - datetime.timedelta(days=14)
    start -= datetime.timedelta(days=start.weekday())  # a Monday
    running = Programme.objects.create(
        title="Coaching Clinic Literasi Digital ASN",
        organiser_unit=units["BKPSDM"],
        coaching_unit=units["Diskominfo"],
        learning_form="coaching",
        start_date=start,
        end_date=start + datetime.timedelta(days=31),
        description=(
            "Klinik pembinaan (coaching clinic) teknologi dasar bagi 24 pejabat administrator "
            "agar mahir presensi elektronik, SRIKANDI, TTE dan e-Kinerja. Data peserta dalam "
            "demo ini fiktif."
        ),
        status=Programme.Status.RUNNING,
        target_sessions=12,
        min_attendance_pct=80,
        jp_credit=24,
        pass_criteria={"min_attendance_pct": 80, "min_post_score": 70, "require_tasks": True},
    )
    modules = [
        Module.objects.create(programme=running, order=n, title=t, summary=s)
        for n, (t, s) in enumerate(MODULES, start=1)
    ]
    days = _meeting_days(start, 12, {0, 2, 4})
    # Today's meeting starts at the top of the current hour, so whoever runs the demo finds
    # its check-in open (group B's follows two hours later).
    now = timezone.localtime(timezone.now(), JAKARTA)
    today_start = (
        now.replace(minute=0, second=0, microsecond=0)
        if now.date() == today
        else datetime.datetime.combine(today, datetime.time(9, 0), tzinfo=JAKARTA)
    )
    groups = []
    for g, (label, coach, venue) in enumerate(
        [
            ("A", coaches[0], "Ruang Rapat Diskominfo"),
            ("B", coaches[1], "Aula BKPSDM"),
        ]
    ):
        group = Group.objects.create(programme=running, name=label)
        group.coaches.add(coach)
        groups.append(group)
        Enrolment.objects.bulk_create(
            Enrolment(programme=running, group=group, person=p) for p in officials[g::2]
        )
        hour = 9 if g == 0 else 13
        for n, day in enumerate(days):
            starts = (
                today_start + datetime.timedelta(hours=2 * g)
                if day == today
                else datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=JAKARTA)
            )
            Session.objects.create(
                group=group,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=120),
                venue=venue,
                module=modules[n],
                coach=coach,
                status=Session.Status.HELD if day < today else Session.Status.PLANNED,
            )
        if today not in days:
            # A make-up meeting today, so that the demo always has a session to attend.
            starts = today_start + datetime.timedelta(hours=2 * g)
            Session.objects.create(
                group=group,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=120),
                venue=venue,
                topic="Sesi pengganti: praktik terpadu",
                coach=coach,
            )

    # A finished programme from 3 July 2023 shows history.
    past_start = datetime.date(2023, 7, 3)
    past = Programme.objects.create(
        title="Bimtek Naskah Dinas Elektronik SRIKANDI",
        organiser_unit=units["BKPSDM"],
        coaching_unit=units["Diskominfo"],
        learning_form="bimtek",
        start_date=past_start,
        end_date=datetime.date(2023, 7, 14),
        status=Programme.Status.FINISHED,
        target_sessions=6,
        min_attendance_pct=80,
        jp_credit=12,
        description="Bimbingan teknis SRIKANDI untuk pejabat administrator (data fiktif).",
    )
    past_module = Module.objects.create(programme=past, order=1, title="SRIKANDI dasar")
    past_group = Group.objects.create(programme=past, name="Angkatan I")
    past_group.coaches.add(coaches[0])
    Enrolment.objects.bulk_create(
        Enrolment(programme=past, group=past_group, person=p) for p in officials[:12]
    )
    for day in _meeting_days(past_start, 6, {0, 2, 4}):
        starts = datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=JAKARTA)
        Session.objects.create(
            group=past_group,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=150),
            venue="Aula Kantor Bupati",
            module=past_module,
            coach=coaches[0],
            status=Session.Status.HELD,
        )
    _seed_attendance(rng, today)
    _seed_notices(running, officials, sekda, today)
    audit.record(
        "seed_demo", regency, note="Demo data seeded (fictitious officials)", acting_user=admin
    )


def _seed_attendance(rng: random.Random, today: datetime.date) -> None:
    """Records for the sessions already held, so the roll, recap and at-risk list show
    something: most came, some late, a few excused, a rare absence."""
    reasons = {
        Status.IZIN: "Mendampingi kunjungan kerja Bupati",
        Status.SAKIT: "Surat keterangan dokter",
        Status.DINAS_LUAR: "Rapat koordinasi di Padang",
    }
    held = Session.objects.filter(status=Session.Status.HELD).select_related("group")
    for session in held:
        enrolled = session.group.participants()
        for person in enrolled:
            status = rng.choices(
                list(Status),  # hadir, terlambat, izin, sakit, dinas luar, alpa
                weights=[80, 8, 4, 3, 2, 3],
            )[0]
            late = rng.randint(11, 25) if status == Status.TERLAMBAT else 0
            arrived = (
                session.starts_at + datetime.timedelta(minutes=late or rng.randint(-10, 5))
                if status in (Status.HADIR, Status.TERLAMBAT)
                else None
            )
            apply_status(
                session,
                person,
                status,
                Method.CODE if arrived else Method.MANUAL,
                acting_user=None,
                reason=reasons.get(status, ""),
                checked_in_at=arrived,
                minutes_late=late,
            )


def _seed_notices(
    running: Programme, officials: list[Person], sekda: Person, today: datetime.date
) -> None:
    """A delivery log with something in it (decision 93): the Sekda is named as the
    officials' direct superior and the clinic asks for superiors to be told, then the
    producers run as the worker would this morning at 07.30 WIB: who fell behind, and the
    reminders of the sessions of today's next hour and of tomorrow."""
    running.notify_superior_when_behind = True
    running.save(update_fields=["notify_superior_when_behind"])
    Person.objects.filter(pk__in=[p.pk for p in officials]).update(superior=sekda)
    morning = datetime.datetime.combine(today, datetime.time(7, 30), tzinfo=JAKARTA)
    reminders.send_behind_target_notices(morning)
    reminders.send_session_reminders(morning)
