"""Competence data for the demo: the running coaching clinic works to the Indonesian
digital-literacy pillars, with a knowledge test taken as a pre-test by everyone and as a
post-test by half the group, so that gains, the heatmap and item analysis have data.
All answers are generated; the officials are the demo's fictitious ones."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cakap.competence import services
from cakap.competence.models import Administration, Framework, Instrument, Item
from cakap.core.formatting import JAKARTA
from cakap.people.models import User
from cakap.programmes.models import Enrolment, Programme

DEMO_PROGRAMME = "Coaching Clinic Literasi Digital ASN"
QUIZ_TITLE = "Kuis literasi digital"

ITEMS = [
    (
        "CD",
        "single",
        "Aplikasi untuk naskah dinas elektronik adalah…",
        ["SRIKANDI", "e-Kinerja", "SIASN"],
        [0],
    ),
    (
        "CD",
        "true_false",
        "Dokumen PDF dapat ditandatangani dengan TTE bersertifikat BSrE.",
        [],
        [0],
    ),
    (
        "CD",
        "single",
        "Presensi elektronik dilakukan melalui…",
        ["aplikasi presensi", "surel", "SMS"],
        [0],
    ),
    (
        "ED",
        "multiple",
        "Etika yang baik di grup percakapan kantor:",
        ["Menyapa", "HURUF KAPITAL SEMUA", "Membalas tepat waktu"],
        [0, 2],
    ),
    (
        "ED",
        "true_false",
        "Meneruskan kabar yang belum diperiksa tidak merugikan siapa pun.",
        [],
        [1],
    ),
    (
        "AD",
        "single",
        "Kata sandi yang kuat adalah…",
        ["panjang dan unik", "tanggal lahir", "123456"],
        [0],
    ),
    ("AD", "true_false", "Kode OTP boleh dibagikan kepada rekan kerja.", [], [1]),
    (
        "AD",
        "single",
        "Surel mencurigakan meminta kata sandi. Anda…",
        ["laporkan dan hapus", "balas", "klik tautannya"],
        [0],
    ),
    ("BD", "true_false", "Nilai Bhinneka Tunggal Ika juga berlaku di ruang digital.", [], [0]),
    (
        "BD",
        "single",
        "Sebelum membagikan informasi, sebaiknya…",
        ["periksa sumbernya", "langsung bagikan"],
        [0],
    ),
]


def seed(today: datetime.datetime | None = None) -> Instrument | None:
    """Seed once, acting as the demo's organiser; returns the quiz, or None when the
    demo programme is missing."""
    programme = Programme.objects.filter(title=DEMO_PROGRAMME).first()
    actor = User.objects.filter(roles__role="organiser").order_by("pk").first()
    if programme is None or actor is None:
        return None
    existing = Instrument.objects.filter(programme=programme, title=QUIZ_TITLE).first()
    if existing is not None:
        return existing
    now = today or timezone.now()
    rng = random.Random(20231)  # noqa: S311 - demo data, not security
    literacy = Framework.objects.get(code="literasi-digital-4-pilar")
    with transaction.atomic():
        services.set_programme_framework(programme, literacy, acting_user=actor)
        competences = {c.code: c.pk for c in literacy.competences.all()}
        mapping = {}
        for module in programme.modules.all():
            title = module.title.lower()
            code = "AD" if any(w in title for w in ("aman", "sandi", "tte", "tanda")) else "CD"
            mapping[module.pk] = {competences[code]}
        services.map_modules(programme, mapping, acting_user=actor)
        quiz = services.create_instrument(
            programme,
            kind=Instrument.Kind.KNOWLEDGE,
            title=QUIZ_TITLE,
            time_limit_minutes=20,
            instructions="Jawab semua soal. Jawaban tersimpan otomatis.",
            acting_user=actor,
        )
        items = services.add_items(
            quiz,
            [services.ItemSpec(*row) for row in ITEMS],
            acting_user=actor,
        )
        window = {
            "opens_at": now - datetime.timedelta(hours=1),
            "closes_at": now + datetime.timedelta(days=7),
        }
        pre = services.create_administration(quiz, phase="pre", **window, acting_user=actor)
        post = services.create_administration(quiz, phase="post", **window, acting_user=actor)
        participants = [
            e.person.user
            for e in Enrolment.objects.active()
            .filter(programme=programme)
            .select_related("person__user")
            .order_by("person__name")
            if e.person.user is not None
        ]
        for n, user in enumerate(participants):
            skill = rng.uniform(0.2, 0.7)
            for administration, chance, takes in (
                (pre, skill, True),
                (post, skill + 0.3, n % 2 == 0),
            ):
                if not takes:
                    continue
                attempt = services.start_attempt(administration, acting_user=user)
                answers = {
                    i.pk: list(i.correct) if rng.random() < chance else _wrong(i, rng)
                    for i in items
                }
                services.save_answers(attempt, answers, acting_user=user)
                services.submit_attempt(attempt, acting_user=user)
        # The pre-test happened in the first week: move its window there (demo history).
        start = datetime.datetime.combine(programme.start_date, datetime.time(8), tzinfo=JAKARTA)
        Administration.objects.filter(pk=pre.pk).update(
            opens_at=start, closes_at=start + datetime.timedelta(days=2)
        )
    return quiz


def _wrong(item: Item, rng: random.Random) -> list[int]:
    if item.kind == Item.Kind.TRUE_FALSE:
        return [1 - item.correct[0]]
    wrong = [i for i in range(len(item.options)) if i not in item.correct]
    return [rng.choice(wrong)]
