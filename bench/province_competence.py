"""Competence results at province scale: a programme of N participants in 100 groups,
with a pre-test and a post-test scored per competence for most of them.

Measures, with Django's test Client (median of 5 runs, after one warm-up run):
- the competence results page (`competence:results`), server time and bytes;
- the API's people list, first page of 50 (`GET /api/v1/people`), time and bytes;
at 2,000 and 20,000 participants, and the results workbook's build time
(`exports.results_workbook`) at the largest size.

    .venv/bin/python bench/province_competence.py [--sizes 2000 20000] [--runs 5]
        [--database-url URL]

The database is made afresh for the run (and left for a look afterwards): a SQLite file
under var/ by default, or the PostgreSQL database that --database-url names (dropped and
created again; for example postgres://postgres@127.0.0.1:5432/cakap_bench_comp). Nothing here runs
in `make test`: targets are checked by hand.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRE_SHARE = 0.9  # of the participants took the pre-test
POST_SHARE = 0.8  # took the post-test (most of those with a pre-test, a few without)


def setup(database_url: str) -> None:
    # Development settings (no collected static files needed); the Client's host allowed.
    os.environ.setdefault("CAKAP_DEBUG", "1")
    os.environ["CAKAP_ALLOWED_HOSTS"] = "testserver"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cakap.settings")
    if database_url.startswith("postgres"):
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {name}")
    else:
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ---------------------------------------------------------------- seeding


def seed_roster(participants: int, groups: int = 100) -> Any:
    """The programme and its roster (bench.province): the organiser reads the results,
    the Bupati (who sees everyone) the API's people list."""
    from bench import province

    programme = province.seed_province(
        participants=participants, groups=groups, sessions_per_group=12
    )
    who = province.personas(programme)
    return SimpleNamespace(programme=programme, organiser=who.organiser, leader=who.regency_leader)


def add_assessments(programme: Any, organiser: Any, *, seed: int = 7) -> Any:
    """A knowledge test on the four pillars of digital literacy, given as a pre-test and a
    post-test, scored per competence: 90% took the pre-test, 80% the post-test."""
    from django.utils import timezone

    from cakap.competence import scoring, services
    from cakap.competence.models import (
        Attempt,
        CompetenceScore,
        Framework,
        Instrument,
    )
    from cakap.competence.queries import competences_of
    from cakap.programmes.models import Enrolment

    if Framework.objects.filter(builtin=True).count() < 2:
        services.load_shipped_frameworks()
    literacy = Framework.objects.get(code="literasi-digital-4-pilar")
    services.set_programme_framework(programme, literacy, acting_user=organiser)
    instrument = services.create_instrument(
        programme,
        kind=Instrument.Kind.KNOWLEDGE,
        title="Kuis literasi digital",
        acting_user=organiser,
    )
    specs = [
        services.ItemSpec(code, "true_false", f"{code}: statement {k}", [], [k % 2])
        for code in ("CD", "ED", "AD", "BD")
        for k in range(5)
    ]
    services.add_items(instrument, specs, acting_user=organiser)
    now = timezone.now()
    phases = {}
    for phase, days in (("pre", 28), ("post", 1)):
        phases[phase] = services.create_administration(
            instrument,
            phase=phase,
            opens_at=now - datetime.timedelta(days=days, hours=2),
            closes_at=now - datetime.timedelta(days=days),
            acting_user=organiser,
        )
    competences = competences_of(instrument)
    low, high = literacy.level_range
    rng = random.Random(seed)
    people = list(
        Enrolment.objects.active().filter(programme=programme).values_list("person_id", flat=True)
    )
    for phase, share, base in (("pre", PRE_SHARE, 1), ("post", POST_SHARE, 3)):
        administration = phases[phase]
        takers = [p for p in people if rng.random() < share]
        submitted = administration.closes_at - datetime.timedelta(minutes=30)
        attempts = Attempt.objects.bulk_create(
            (
                Attempt(
                    administration=administration,
                    person_id=p,
                    started_at=submitted - datetime.timedelta(minutes=20),
                    submitted_at=submitted,
                )
                for p in takers
            ),
            batch_size=2000,
        )
        scores = []
        for attempt in attempts:
            for c in competences:
                earned = min(5, max(0, base + rng.randint(-1, 2)))
                pct = scoring.percent(scoring.Fraction(earned), scoring.Fraction(5))
                assert pct is not None
                scores.append(
                    CompetenceScore(
                        attempt=attempt,
                        competence=c,
                        earned=earned,
                        possible=5,
                        percent=scoring.round1(pct),
                        level=scoring.level_for(pct, low, high),
                    )
                )
        CompetenceScore.objects.bulk_create(scores, batch_size=5000)
    return instrument


# ---------------------------------------------------------------- measuring


def median_of(runs: int, fn: Callable[[], int]) -> tuple[float, int]:
    fn()  # warm-up: the first request loads templates and translations
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def measure(participants: int, runs: int, workbook: bool) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from cakap.competence import exports
    from cakap.people.models import ApiToken
    from cakap.people.tokens import KEY_MARKER, PREFIX_LENGTH, hash_key

    start = time.perf_counter()
    world = seed_roster(participants)
    instrument = add_assessments(world.programme, world.organiser)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  seeded {participants} participants in {time.perf_counter() - start:.0f} s")

    client = Client()
    client.force_login(world.organiser)
    url = reverse("competence:results", args=[instrument.pk])

    def page() -> int:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    key = KEY_MARKER + "bench-" + str(participants)
    ApiToken.objects.create(
        user=world.leader, name="bench", key_hash=hash_key(key), prefix=key[:PREFIX_LENGTH]
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def people() -> int:
        response = api.get("/api/v1/people?page=1&page_size=50")
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["items"]) == 50
        return len(response.content)

    out: dict[str, float] = {}
    out["results_s"], out["results_bytes"] = median_of(runs, page)
    out["people_s"], out["people_bytes"] = median_of(runs, people)
    if workbook:

        def book() -> int:
            return len(exports.results_workbook(world.organiser, instrument))

        out["xlsx_s"], out["xlsx_bytes"] = median_of(min(runs, 3), book)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench-province-competence.sqlite3'}"
    )
    args = parser.parse_args()
    setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    for n, size in enumerate(args.sizes):
        if n:
            call_command("flush", verbosity=0, interactive=False)
        print(f"{size} participants ({args.database_url.split(':')[0]}):")
        figures = measure(size, args.runs, workbook=size == max(args.sizes))
        print(
            f"  results page   {figures['results_s'] * 1000:7.0f} ms"
            f"  {figures['results_bytes'] / 1024:7.0f} KB"
        )
        print(
            f"  API people p1  {figures['people_s'] * 1000:7.0f} ms"
            f"  {figures['people_bytes'] / 1024:7.0f} KB"
        )
        if "xlsx_s" in figures:
            print(
                f"  results XLSX   {figures['xlsx_s'] * 1000:7.0f} ms"
                f"  {figures['xlsx_bytes'] / 1024:7.0f} KB"
            )
    connection.close()


if __name__ == "__main__":
    main()
