"""Check-in burst: N enrolled participants check in to one session, C at a time, through
the production server (gunicorn as gunicorn.conf.py sets it up) on PostgreSQL; the same
load on a trivial endpoint that reads one row, for comparison, the two taking turns in
rounds. The database holds a programme with meetings already held, vacuumed and
analysed; every worker is warmed up first. Also counts the queries of one check-in,
weighs the page a phone loads after scanning, and reports the CPU a request of each load
costs the server, PostgreSQL and the load generator (Linux). A third load checks the
same participants in to another session through the API (`POST /api/v1/attendance/
check-in` with a bearer token each), as an app or a kiosk would.

    .venv/bin/python bench/checkin_burst.py [--participants 2000] [--concurrency 64]
        [--history 11] [--rounds 4] [--workers N] [--worker-class gthread --threads 4]
        [--redis [URL]] [--no-api]

--redis runs the server with CAKAP_REDIS_URL set (default redis://127.0.0.1:6379/15,
flushed first), as production is configured; without it the server has no shared cache.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres); it creates and drops the database
`cakap_bench` (BENCH_DB names another) and serves on port 8765 (BENCH_PORT). `make bench`
runs it, with BENCH_ARGS as its options. Nothing here runs in `make test`: targets are
checked by hand.
"""

import argparse
import datetime
import http.client
import os
import queue
import secrets
import statistics
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
DB = os.environ.get("BENCH_DB", "cakap_bench")
SECRET = "bench-" + secrets.token_urlsafe(40)
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("CAKAP_")},
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "CAKAP_SECRET_KEY": SECRET,
    "CAKAP_ALLOWED_HOSTS": "127.0.0.1,testserver",
    "CAKAP_SSL_REDIRECT": "0",
    "CAKAP_HSTS_SECONDS": "0",
    "CAKAP_LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "cakap.settings",
}
PY = str(ROOT / ".venv" / "bin" / "python")


def sh(*args: str) -> None:
    subprocess.run(args, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)


def prepare_database() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DB}")
    sh(PY, "manage.py", "migrate", "--no-input", "-v0")
    sh(PY, "manage.py", "collectstatic", "--no-input", "-v0")


def seed(n: int, history: int) -> tuple[int, int, int, list[str], list[str]]:
    """One session starting now with n active participants, after `history` meetings
    already held, a second session at the same time to warm the server up with and a
    third for the API's check-ins; returns the three ids, one signed-in session cookie
    per participant and one API key per participant."""
    os.environ.update(ENV)
    import django

    django.setup()
    import importlib

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection
    from django.utils import timezone

    from cakap.people.models import ApiToken, Person, Unit, User
    from cakap.people.tokens import KEY_MARKER, PREFIX_LENGTH, hash_key
    from cakap.programmes.models import Enrolment, Group, Programme, Session

    regency = Unit.objects.create(name="Bench Regency", kind="regency")
    unit = Unit.objects.create(name="Bench Office", kind="dinas", parent=regency)
    today = timezone.localdate()
    programme = Programme.objects.create(
        title="Bench",
        organiser_unit=unit,
        coaching_unit=unit,
        status="running",
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
    )
    group = Group.objects.create(programme=programme, name="All")
    users = User.objects.bulk_create(
        User(email=f"p{i}@bench.test", password="!", feed_token=secrets.token_urlsafe(24))
        for i in range(n)
    )
    people = Person.objects.bulk_create(
        Person(nip=f"{i + 1:018d}", name=f"Peserta {i}", unit=unit, user=u)
        for i, u in enumerate(users)
    )
    Enrolment.objects.bulk_create(
        Enrolment(programme=programme, group=group, person=p) for p in people
    )
    now = timezone.now()
    # The meetings already held, each with everyone's record and its trail, so that the
    # tables and the planner's statistics look like a programme in its fourth week.
    from cakap.attendance.models import AttendanceChange, AttendanceRecord

    for k in range(history, 0, -1):
        held = Session.objects.create(
            group=group,
            starts_at=now - datetime.timedelta(days=2 * k),
            ends_at=now - datetime.timedelta(days=2 * k, hours=-2),
            venue="Aula",
            status=Session.Status.HELD,
        )
        records = AttendanceRecord.objects.bulk_create(
            AttendanceRecord(
                session=held,
                person=p,
                status="hadir",
                method="code",
                checked_in_at=held.starts_at,
                device_id=f"device-{p.pk}",
                recorded_by_id=p.user_id,
            )
            for p in people
        )
        AttendanceChange.objects.bulk_create(
            AttendanceChange(record=r, actor_id=r.recorded_by_id, method="code", to_status="hadir")
            for r in records
        )
    session = Session.objects.create(
        group=group,
        starts_at=now + datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
        venue="Aula",
    )
    warm = Session.objects.create(
        group=group,
        starts_at=now + datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
        venue="Ruang latihan",
    )
    api_session = Session.objects.create(
        group=group,
        starts_at=now + datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
        venue="Ruang rapat",
    )
    keys = [KEY_MARKER + secrets.token_urlsafe(32) for _ in users]
    ApiToken.objects.bulk_create(
        ApiToken(user=u, name="bench", key_hash=hash_key(k), prefix=k[:PREFIX_LENGTH])
        for u, k in zip(users, keys, strict=True)
    )
    session_store = importlib.import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for u in users:
        store = session_store()
        store[SESSION_KEY] = str(u.pk)
        store[BACKEND_SESSION_KEY] = "cakap.people.auth.NipOrEmailBackend"
        store[HASH_SESSION_KEY] = u.get_session_auth_hash()
        store.create()
        cookies.append(store.session_key or "")
    # A database in use has been vacuumed and has statistics (a freshly seeded one does
    # not: the planner would take every table for empty), and is not in the middle of the
    # checkpoint that bulk loading sets off.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    return session.pk, warm.pk, api_session.pk, cookies, keys


def query_count_and_weight(session_id: int) -> tuple[int, int, dict[str, int]]:
    """Queries of one check-in POST, and bytes a phone downloads for the scan page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cakap.attendance.codes import make_code, period_of, slot_at
    from cakap.attendance.windows import policy_for
    from cakap.people.models import Person
    from cakap.programmes.models import Session

    session = Session.objects.select_related("group__programme").get(pk=session_id)
    person = Person.objects.filter(enrolments__group=session.group).order_by("-pk").first()
    assert person and person.user
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(person.user)
    period = period_of(policy_for(session.group.programme))
    code = make_code(session_id, slot_at(time.time(), period), key=SECRET)
    url = f"/attendance/c/{session_id}/{code}/"
    page = client.get(url)
    sizes = {"html": len(page.content)}
    import re

    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.content.decode()):
        conn = http.client.HTTPConnection("127.0.0.1", PORT)
        conn.request("GET", asset, headers={"Accept-Encoding": "gzip"})
        sizes[asset] = len(conn.getresponse().read())
        conn.close()
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, HTTP_X_CAKAP_FETCH="1")
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries), sum(sizes.values()), sizes


def burst(requests: list[tuple[str, str, dict[str, str], bytes]], concurrency: int):
    work: queue.Queue[tuple[str, str, dict[str, str], bytes]] = queue.Queue()
    for r in requests:
        work.put(r)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        while True:
            try:
                method, path, headers, body = work.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                ok = resp.status in (200, 201) and b'data-outcome="refused"' not in data
                err = None if ok else f"{resp.status} {data[:200]!r}"
            except (OSError, http.client.HTTPException) as e:
                err = repr(e)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if err:
                    errors.append(err)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return wall, latencies, errors


class CpuMeter:
    """CPU seconds spent by the server's processes, the database's backends for the
    benchmark database and this load generator, added up over the bursts it measures
    (from /proc: Linux only; elsewhere it reports nothing)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.spent: dict[str, list[float]] = {}  # load -> [requests, server, db, load gen]

    @staticmethod
    def _cpu(pids: list[int]) -> float:
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone, or not Linux
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def _pids(self) -> tuple[list[int], list[int]]:
        import psycopg

        try:
            children = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children")
            server = [self.server_pid, *map(int, children.read_text().split())]
        except OSError:
            server = []
        with psycopg.connect(ENV["DATABASE_URL"]) as c:
            found = c.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [DB],
            ).fetchall()
        return server, [pid for (pid,) in found]

    def burst(
        self, load: str, requests: list[tuple[str, str, dict[str, str], bytes]], concurrency: int
    ) -> tuple[float, list[float], list[str]]:
        """`burst(requests, concurrency)`, with its CPU added to `load`'s."""
        server, db = self._pids()
        before = self._cpu(server), self._cpu(db), time.process_time()
        result = burst(requests, concurrency)
        after = self._cpu(server), self._cpu(db), time.process_time()
        row = self.spent.setdefault(load, [0, 0.0, 0.0, 0.0])
        row[0] += len(requests)
        for i in range(3):
            row[i + 1] += after[i] - before[i]
        return result

    def report(self) -> None:
        print("CPU per request (server / PostgreSQL / load generator):")
        for load, (n, server, db, gen) in self.spent.items():
            print(
                f"  {load:<9} {server / n * 1000:.2f} / {db / n * 1000:.2f} / "
                f"{gen / n * 1000:.2f} ms"
            )


def summary(name: str, wall: float, lat: list[float], errors: list[str]) -> dict[str, float]:
    q = statistics.quantiles(lat, n=100)
    row = {"rps": len(lat) / wall, "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000}
    print(
        f"{name:<10} {len(lat):>5} req  {row['rps']:>7.1f} req/s  p50 {row['p50']:>6.1f} ms  "
        f"p95 {row['p95']:>6.1f} ms  p99 {row['p99']:>6.1f} ms  errors {len(errors)}"
    )
    for e in errors[:5]:
        print("   ", e)
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--history", type=int, default=11, help="meetings already held")
    parser.add_argument("--rounds", type=int, default=4, help="turns the two loads take")
    parser.add_argument("--workers", type=int, default=0, help="default: gunicorn.conf.py")
    parser.add_argument("--worker-class", default="", help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, default=4, help="with --worker-class gthread")
    parser.add_argument(
        "--redis",
        nargs="?",
        const="redis://127.0.0.1:6379/15",
        default="",
        help="serve with this shared cache, flushed first (production's set-up)",
    )
    parser.add_argument("--no-api", action="store_true", help="skip the API's check-ins")
    args = parser.parse_args()
    if args.redis:
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        ENV["CAKAP_REDIS_URL"] = args.redis
    print(f"shared cache: {args.redis or 'none'}")

    print(f"preparing {DB} with {args.participants} participants ...")
    prepare_database()
    session_id, warm_id, api_id, cookies, api_keys = seed(args.participants, args.history)
    # The production server as gunicorn.conf.py sets it up, on the benchmark's port.
    command = [str(ROOT / ".venv/bin/gunicorn"), "cakap.wsgi", "-b", f"127.0.0.1:{PORT}"]
    if args.workers:
        command += ["-w", str(args.workers)]
    if args.worker_class:
        command += ["-k", args.worker_class, "--threads", str(args.threads)]
    server = subprocess.Popen(  # noqa: S603
        [*command, "--log-level", "warning"],
        cwd=ROOT,
        env={**ENV, "CAKAP_DB_CONN_MAX_AGE": "600"},
    )
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                c.request("GET", "/health/")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        queries, weight, sizes = query_count_and_weight(session_id)
        from cakap.attendance.codes import make_code, period_of, slot_at
        from cakap.attendance.phones import new_device_id
        from cakap.attendance.windows import policy_for
        from cakap.programmes.models import Programme

        period = period_of(policy_for(Programme.objects.get(title="Bench")))
        alphabet = string.ascii_letters + string.digits

        def check_ins(
            session: int, keys: list[str]
        ) -> list[tuple[str, str, dict[str, str], bytes]]:
            code = make_code(session, slot_at(time.time(), period), key=SECRET)
            found = []
            for key in keys:
                csrf = "".join(secrets.choice(alphabet) for _ in range(32))
                device = new_device_id(key=SECRET)
                headers = {
                    "Cookie": f"sessionid={key}; csrftoken={csrf}; cakap_device={device}",
                    "X-CSRFToken": csrf,
                    "X-Cakap-Fetch": "1",
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                found.append(("POST", f"/attendance/c/{session}/{code}/", headers, b""))
            return found

        import json

        def api_check_ins(
            session: int, keys: list[str]
        ) -> list[tuple[str, str, dict[str, str], bytes]]:
            code = make_code(session, slot_at(time.time(), period), key=SECRET)
            found = []
            for key in keys:
                body = json.dumps(
                    {"session_id": session, "code": code, "device_id": new_device_id(key=SECRET)}
                ).encode()
                headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
                found.append(("POST", "/api/v1/attendance/check-in", headers, body))
            return found

        # Warm every worker up first, on both endpoints, as a server that has been up for
        # a while is: check-ins go to the other session, so the measured one stays empty.
        burst([("GET", "/health/", {}, b"")] * 256, args.concurrency)
        burst(check_ins(warm_id, cookies[:256]), args.concurrency)
        if not args.no_api:
            burst(api_check_ins(warm_id, api_keys[256:512]), args.concurrency)

        # The two loads take turns, a share of each per round, so that a machine whose
        # speed drifts (a shared virtual machine does) weighs on both alike.
        wall_t = wall_c = 0.0
        lat_t: list[float] = []
        lat_c: list[float] = []
        err_t: list[str] = []
        err_c: list[str] = []
        wall_a = 0.0
        lat_a: list[float] = []
        err_a: list[str] = []
        keys = cookies[:-1]
        cpu = CpuMeter(server.pid)
        for r in range(args.rounds):
            share = slice(r * len(keys) // args.rounds, (r + 1) * len(keys) // args.rounds)
            n, rounds = args.participants, args.rounds
            reads = (r + 1) * n // rounds - r * n // rounds
            trivial = [("GET", "/health/", {}, b"")] * reads
            wall, lat, err = cpu.burst("trivial", trivial, args.concurrency)
            wall_t, lat_t, err_t = wall_t + wall, lat_t + lat, err_t + err
            checks = check_ins(session_id, keys[share])
            wall, lat, err = cpu.burst("check-in", checks, args.concurrency)
            wall_c, lat_c, err_c = wall_c + wall, lat_c + lat, err_c + err
            if not args.no_api:
                a_share = slice(r * n // rounds, (r + 1) * n // rounds)
                calls = api_check_ins(api_id, api_keys[a_share])
                wall, lat, err = cpu.burst("api", calls, args.concurrency)
                wall_a, lat_a, err_a = wall_a + wall, lat_a + lat, err_a + err

        from cakap.attendance.models import AttendanceRecord

        records = AttendanceRecord.objects.filter(session_id=session_id).count()
        print()
        t = summary("trivial", wall_t, lat_t, err_t)
        c = summary("check-in", wall_c, lat_c, err_c)
        if not args.no_api:
            a = summary("api", wall_a, lat_a, err_a)
        print()
        print(f"records in the session: {records} (expected {args.participants})")
        print(f"throughput ratio check-in/trivial: {c['rps'] / t['rps']:.2f} (target >= 0.5)")
        print(f"p99 ratio check-in/trivial: {c['p99'] / t['p99']:.2f} (target <= 2.0)")
        api_ok = True
        if not args.no_api:
            api_records = AttendanceRecord.objects.filter(session_id=api_id).count()
            api_ok = api_records == args.participants and not err_a
            print(f"API records in its session: {api_records} (expected {args.participants})")
            print(f"throughput ratio api/trivial: {a['rps'] / t['rps']:.2f} (target >= 0.5)")
            print(f"p99 ratio api/trivial: {a['p99'] / t['p99']:.2f} (target <= 2.0)")
        print(f"queries per check-in POST: {queries}")
        print(f"scan page weight: {weight} bytes (target <= 30720): {sizes}")
        cpu.report()
        ok = records == args.participants and not err_c and not err_t and api_ok
        return 0 if ok else 1
    finally:
        server.terminate()
        try:
            # gunicorn gives its workers up to its graceful timeout (30 s) to finish; on a
            # busy two-core machine they can take more than a few seconds.
            server.wait(40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
