"""The roster parser, without the database: whatever the layout, the same people come out."""

import csv
import datetime
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from cakap.people.models import Rank
from cakap.people.roster import parse_file

HEADERS = {
    "nip": ["NIP", "N I P", "NIP Baru", "nip"],
    "name": ["Nama", "Nama Lengkap", "NAMA PEGAWAI"],
    "rank": ["Pangkat/Gol", "Pangkat / Golongan", "Golongan", "Gol."],
    "position": ["Jabatan", "Nama Jabatan"],
    "unit": ["Unit Kerja", "Unit Kerja/OPD", "OPD"],
    "phone": ["No HP", "No. HP", "HP"],
    "email": ["Email", "E-mail", "Alamat Email"],
}

words = st.text(alphabet="abcdefghijklmnoprstuwy", min_size=2, max_size=9).map(str.title)


@st.composite
def people(draw):
    birth = draw(
        st.dates(min_value=datetime.date(1960, 1, 1), max_value=datetime.date(2000, 12, 31))
    )
    year = draw(st.integers(min_value=birth.year + 19, max_value=birth.year + 40))
    nip = f"{birth:%Y%m%d}{year}{draw(st.integers(1, 12)):02d}"
    nip += f"{draw(st.sampled_from('12'))}{draw(st.integers(1, 999)):03d}"
    return {
        "nip": nip,
        "name": " ".join(draw(st.lists(words, min_size=1, max_size=3))),
        "rank": draw(st.sampled_from(Rank.values)),
        "position": "Kepala " + draw(words),
        "unit": "Dinas " + draw(words),
        "phone": "08" + draw(st.text(alphabet="0123456789", min_size=8, max_size=11)),
        "email": draw(words).lower() + "@example.go.id",
    }


def spell_nip(nip, style):
    if style == "grouped":
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    if style == "dotted":
        return f"{nip[:8]}.{nip[8:14]}.{nip[14]}.{nip[15:]}"
    return nip


@settings(max_examples=60, deadline=None)
@given(
    st.lists(people(), min_size=1, max_size=8, unique_by=lambda p: p["nip"]),
    st.permutations(list(HEADERS)),
    st.data(),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8-sig", "cp1252", "utf-8"]),
    st.integers(min_value=0, max_value=3),
)
def test_any_layout_yields_the_same_people(persons, order, data, delimiter, encoding, title_rows):
    headers = [data.draw(st.sampled_from(HEADERS[field])) for field in order]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for i in range(title_rows):
        writer.writerow([f"Daftar peserta {i}"])
    writer.writerow(["No", *headers])
    for number, person in enumerate(persons, start=1):
        cells = dict(person)
        cells["nip"] = spell_nip(
            person["nip"], data.draw(st.sampled_from(["plain", "grouped", "dotted"]))
        )
        writer.writerow([number, *(cells[field] for field in order)])
        if data.draw(st.booleans()):
            writer.writerow([])
    plan = parse_file(out.getvalue().encode(encoding), "roster.csv")
    assert [r.problems for r in plan.rows] == [[] for _ in persons]
    for parsed, person in zip(plan.rows, persons, strict=True):
        assert {k: parsed.values[k] for k in person} == person
