"""Which field a roster's column header names: the header words BKPSDM's spreadsheets use
for NIP, name, titles, pangkat/golongan, position, unit, phone and email. Pure rules, no
database; `roster_reading` finds the header row with them."""

import re
import unicodedata

# Normalised header (lower case, letters and digits only) -> field.
_HEADERS = {
    "no": "no",
    "nomor": "no",
    "nourut": "no",
    "nip": "nip",
    "nipbaru": "nip",
    "nomorindukpegawai": "nip",
    "nipnipppk": "nip",
    "nippppk": "nip",
    "nama": "name",
    "namalengkap": "name",
    "namapegawai": "name",
    "namaasn": "name",
    "namapeserta": "name",
    "namadangelar": "name",
    "namalengkapdangelar": "name",
    "name": "name",
    "fullname": "name",
    "gelar": "titles",
    "gelarakademik": "titles",
    "titles": "titles",
    "gelardepan": "title_prefix",
    "gelarbelakang": "title_suffix",
    "pangkatgol": "rank",
    "pangkatgolongan": "rank",
    "pangkatgolruang": "rank",
    "pangkatgolonganruang": "rank",
    "golongan": "rank",
    "golonganruang": "rank",
    "gol": "rank",
    "golruang": "rank",
    "pangkat": "rank",
    "rank": "rank",
    "jabatan": "position",
    "namajabatan": "position",
    "position": "position",
    "unitkerja": "unit",
    "unitkerjaopd": "unit",
    "opd": "unit",
    "skpd": "unit",
    "unit": "unit",
    "unitorganisasi": "unit",
    "instansi": "unit",
    "perangkatdaerah": "unit",
    "satuankerja": "unit",
    "satker": "unit",
    "nohp": "phone",
    "hp": "phone",
    "nomorhp": "phone",
    "nohandphone": "phone",
    "nohpwa": "phone",
    "nowa": "phone",
    "nowhatsapp": "phone",
    "whatsapp": "phone",
    "telepon": "phone",
    "telp": "phone",
    "notelp": "phone",
    "notelepon": "phone",
    "phone": "phone",
    "ponsel": "phone",
    "email": "email",
    "alamatemail": "email",
    "surel": "email",
}
# Tried in order when no exact match: "Nama Jabatan" is a position, "NIP (18 digit)" a NIP.
_HEADER_HINTS = (
    ("nip", "nip"),
    ("email", "email"),
    ("surel", "email"),
    ("gelar", "titles"),
    ("pangkat", "rank"),
    ("golongan", "rank"),
    ("jabatan", "position"),
    ("unitkerja", "unit"),
    ("opd", "unit"),
    ("skpd", "unit"),
    ("nohp", "phone"),
    ("telp", "phone"),
    ("telepon", "phone"),
    ("whatsapp", "phone"),
    ("nama", "name"),
)


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def header_field(text: str) -> str | None:
    """The field a column header names, or None for a column Cakap does not read."""
    key = _header_key(text)
    if not key:
        return None
    if key in _HEADERS:
        return _HEADERS[key]
    for hint, name in _HEADER_HINTS:
        if hint in key:
            return name
    return None
