"""Where the time of one check-in goes: N participants scan in turn through the test
client, in one process, on the database DATABASE_URL names; prints the time per scan POST,
the statements of one scan and, with PROF=1, a cProfile listing (SORT=tottime to sort by
own time). Run by hand, never by `make test`:

    CAKAP_DEBUG=0 CAKAP_SSL_REDIRECT=0 CAKAP_SECRET_KEY=x PROF_N=400 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cakap_prof \
    .venv/bin/pytest -q -s -p no:cacheprovider bench/checkin_profile.py
"""

import cProfile
import datetime
import io
import os
import pstats
import time

import time_machine
from django.conf import settings
from django.test import Client

from cakap.attendance.codes import make_code, slot_at
from cakap.attendance.phones import DEVICE_COOKIE, new_device_id
from cakap.people.models import Person, User
from cakap.programmes.models import Enrolment

N = int(os.environ.get("PROF_N", "400"))


def test_profile_scan(world):
    session = world.session_a
    clients = []
    for i in range(N):
        p = Person.objects.create(nip=f"1980010120050{i:05d}", name=f"P {i}", unit=world.dinkes)
        u = User.objects.create_user(email=f"p{i}@x.id", password="x")
        p.user = u
        p.save()
        Enrolment.objects.create(programme=world.programme, group=world.group_a, person=p)
        c = Client()
        c.force_login(u)
        clients.append((c.cookies["sessionid"].value, new_device_id()))
    client = Client()
    at = session.starts_at + datetime.timedelta(minutes=2)
    with time_machine.travel(at, tick=False):
        code = make_code(session.pk, slot_at(at.timestamp(), 30), settings.SECRET_KEY)
        url = f"/attendance/c/{session.pk}/{code}/"

        def use(pair):
            client.cookies["sessionid"] = pair[0]
            client.cookies[DEVICE_COOKIE] = pair[1]
            return client

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            use(clients[0]).post(url, HTTP_X_CAKAP_FETCH="1")
        for q in ctx.captured_queries:
            print("SQL:", q["sql"][:150])
        warm, timed = clients[1:40], clients[40:]  # warm up the caches first
        for c in warm:
            use(c).post(url, HTTP_X_CAKAP_FETCH="1")
        prof = cProfile.Profile()
        t = time.perf_counter()
        if os.environ.get("PROF"):
            prof.enable()
        for c in timed:
            r = use(c).post(url, HTTP_X_CAKAP_FETCH="1")
            assert r.status_code == 200, r.content[:300]
        prof.disable()
        el = time.perf_counter() - t
    print(f"\nper scan POST: {el / len(timed) * 1000:.2f} ms over {len(timed)}")
    if not os.environ.get("PROF"):
        return
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
        int(os.environ.get("TOP", "60"))
    )
    print(s.getvalue())
