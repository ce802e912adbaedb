"""The attendance pages at province scale: seeds a programme of N participants in 100
groups of 12 sessions (bench/province.py) for each size, then measures, through Django's
test Client in one process, the server time (median of --runs, after one warm-up) and the
size of the recap page, the at-risk list and one group's heatmap (the group recap), as
the organiser and as the Bupati (a leader over the whole regency), and the time to build
the programme's recap workbook (reading the recap and writing the XLSX, as a worker would)
at the largest size. Prints a table with the wall-clock time and the CPU time of this
process (on SQLite the database runs inside it, so that CPU time is the server's work
however busy the machine is; on PostgreSQL it leaves out the database's). Run by hand,
never by `make test`:

    .venv/bin/python bench/province_attendance.py [--sizes 2000,20000] [--groups 100]
        [--runs 5] [--workbook-runs 3] [--no-workbook]

On a fresh SQLite file (var/bench-province.sqlite3, removed first) unless DATABASE_URL
names another database, e.g. PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cakap_bench_province \
        .venv/bin/python bench/province_attendance.py

That database must exist and be a throwaway one: the benchmark migrates it and adds one
province per size (each size is measured beside the provinces seeded before it).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SQLITE = ROOT / "var" / "bench-province.sqlite3"


def configure() -> None:
    os.environ.update(
        {
            "CAKAP_DEBUG": "0",
            "CAKAP_SECRET_KEY": "bench-province-not-a-secret",
            "CAKAP_ALLOWED_HOSTS": "testserver",
            "CAKAP_SSL_REDIRECT": "0",
            "CAKAP_HSTS_SECONDS": "0",
            "CAKAP_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "cakap.settings",
        }
    )
    if not os.environ.get("DATABASE_URL"):
        SQLITE.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workbook-runs", type=int, default=3)
    parser.add_argument("--no-workbook", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    configure()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    import bench.province as province
    from cakap.attendance import exports, queries

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"database: {connection.vendor}; runs per page: {args.runs} (median)")
    table: list[tuple[str, int, str, float, float, float, int]] = []

    def measure(label: str, size: int, who: str, client: Client, url: str) -> None:
        warm = client.get(url)  # warm: templates, the role cache, the database's pages
        if warm.status_code != 200:
            print(f"  {label:<22} {who:<10} answered {warm.status_code}")
            return
        times, cpu = [], []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        kb = len(response.content) / 1024
        ms, cpu_ms = statistics.median(times) * 1000, statistics.median(cpu) * 1000
        table.append((label, size, who, ms, cpu_ms, kb, len(ctx)))
        line = f"{ms:7.0f} ms {cpu_ms:7.0f} ms CPU {kb:7.1f} KB {len(ctx):3d} q"
        print(f"  {label:<22} {who:<10} {line}")

    largest = None
    workbook: tuple[int, float, float, bytes] | None = None
    for size in sizes:
        start = time.perf_counter()
        programme = province.seed_province(participants=size, groups=args.groups)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{size} participants seeded in {time.perf_counter() - start:.1f} s")
        who = province.personas(programme)
        group = programme.groups.order_by("name").first()
        assert group is not None
        pages = [
            ("recap (programme)", reverse("attendance:recap-programme", args=[programme.pk])),
            ("at-risk list", reverse("attendance:risk-programme", args=[programme.pk])),
            ("group heatmap", reverse("attendance:recap-group", args=[group.pk])),
        ]
        for login, user in (("organiser", who.organiser), ("bupati", who.regency_leader)):
            client = Client()
            client.force_login(user)
            for label, url in pages:
                measure(label, size, login, client, url)
        largest = programme

    if largest is not None and not args.no_workbook:
        times, cpu = [], []
        for _ in range(args.workbook_runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            recap = queries.recap_for_programme(largest)
            data = exports.recap_xlsx(recap)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        workbook = (len(recap.rows), statistics.median(times), statistics.median(cpu), data)

    print()
    print(f"median of {args.runs} (the workbook: of {args.workbook_runs})")
    print("| page | participants | as | server ms | CPU ms | KB | queries |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for label, size, login, ms, cpu_ms, kb, n in table:
        print(f"| {label} | {size:,} | {login} | {ms:.0f} | {cpu_ms:.0f} | {kb:.1f} | {n} |")
    if workbook is not None:
        rows, wall, cpu_s, data = workbook
        print(
            f"| recap workbook (build) | {rows:,} | worker | {wall * 1000:.0f} | "
            f"{cpu_s * 1000:.0f} | {len(data) / 1024:.0f} | |"
        )


if __name__ == "__main__":
    main()
