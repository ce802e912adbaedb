"""The recap matrix from plain lists: totals agree with the rows, whatever the marks."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cakap.attendance.models import PRESENT, Status
from cakap.attendance.queries import build_recap
from cakap.people.models import Person
from cakap.programmes.models import Enrolment, Group, Programme, Session

START = datetime.datetime(2026, 11, 2, 2, 0, tzinfo=datetime.UTC)
MARK = st.one_of(st.none(), st.tuples(st.sampled_from(Status.values), st.booleans()))


def fixture(n_people, session_states, marks):
    programme = Programme(pk=1, title="P", min_attendance_pct=80, target_sessions=0)
    group = Group(pk=1, programme=programme, name="A")
    sessions = [
        Session(
            pk=i + 1,
            group=group,
            starts_at=START + datetime.timedelta(days=i),
            ends_at=START + datetime.timedelta(days=i, hours=2),
            status=state,
        )
        for i, state in enumerate(session_states)
    ]
    people = [Person(pk=p + 1, name=f"P{p}", nip=f"{p:018d}") for p in range(n_people)]
    enrolments = [Enrolment(programme=programme, group=group, person=p) for p in people]
    records = [
        (s.pk, p.pk, mark[0], mark[1])
        for (si, pi), mark in marks.items()
        if mark is not None and si < len(sessions) and pi < n_people
        for s, p in [(sessions[si], people[pi])]
    ]
    return programme, group, sessions, enrolments, records


@settings(max_examples=80, deadline=None)
@given(
    n_people=st.integers(0, 6),
    session_states=st.lists(st.sampled_from(["planned", "held", "cancelled"]), max_size=6),
    marks=st.dictionaries(st.tuples(st.integers(0, 5), st.integers(0, 5)), MARK),
)
def test_totals_agree_with_the_rows(n_people, session_states, marks):
    programme, group, sessions, enrolments, records = fixture(n_people, session_states, marks)
    live = [s for s in sessions if s.status != "cancelled"]
    recap = build_recap(programme, group, sessions, enrolments, records)
    assert len(recap.columns) == len(live)
    assert len(recap.rows) == n_people
    assert sum(t.present for t in recap.totals) == sum(r.standing.attended for r in recap.rows)
    assert sum(t.counted for t in recap.totals) == sum(r.standing.counted for r in recap.rows)
    for row in recap.rows:
        st_ = row.standing
        assert st_.counted + st_.remaining == len(live)
        confirmed = [c for c in row.cells if c.status and not c.pending]
        assert sum(row.counts.values()) == len(confirmed)
        assert st_.attended == sum(1 for c in confirmed if c.status in PRESENT)
        assert st_.attended <= row.counts["hadir"] + row.counts["terlambat"]
