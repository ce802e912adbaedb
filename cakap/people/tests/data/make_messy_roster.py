"""Writes messy_roster.xlsx, run once by hand: `python make_messy_roster.py`.

The workbook is committed; tests read the file, never this script. It imitates a
roster typed by hand at BKPSDM: a title above the header, shuffled columns with
mixed header spellings, a numbering row, titles inside names, spaced NIPs, a NIP
typed as a number, blank rows, one bad NIP, one duplicate and one unknown unit.
"""

from pathlib import Path

import openpyxl

HERE = Path(__file__).parent

book = openpyxl.Workbook()
sheet = book.worksheets[0]
sheet.title = "Peserta"
sheet.append(["DAFTAR PESERTA COACHING CLINIC LITERASI DIGITAL"])
sheet.merge_cells("A1:I1")
sheet.append(["Pemerintah Kabupaten Contoh, Tahun 2026"])
sheet.append([])
sheet.append(
    [
        "NO.",
        "Nama Lengkap",
        "N I P",
        "Unit Kerja/OPD",
        "Pangkat / Golongan",
        "JABATAN",
        "Gelar",
        "No. HP",
        "E-mail",
    ]
)
sheet.append([1, 2, 3, 4, 5, 6, 7, 8, 9])
rows = [
    [
        1,
        "Dr. Ir. Budi Santoso, M.Si.",
        "19700312 199503 1 002",
        "diskominfo",
        "Pembina (IV/a)",
        "Kepala Bidang Aplikasi Informatika",
        None,
        "+62 812-3456-7890",
        "Budi.Santoso@Example.go.id",
    ],
    [
        2,
        "Siti Aminah",
        "198104152006042003",
        "DINAS  KESEHATAN",
        "III/c",
        "Sekretaris Dinas",
        "S.Kom., M.M.",
        "0812 3456 7891",
        None,
    ],
    [
        3,
        "Hj. Rahmawati",
        "19660801.198803.2.001",
        "Kecamatan Satu",
        "IV b",
        "Camat",
        "Dra., M.Pd.",
        81298765432,
        "rahmawati@example.go.id",
    ],
    [],
    [
        4,
        "Andi Pratama, S.T.",
        "19851302 201001 1 005",
        "Diskominfo",
        "III/a",
        "Pranata Komputer",
        None,
        None,
        None,
    ],
    [
        5,
        "Siti Aminah, S.Kom",
        "1981 0415 2006 04 2 003",
        "Dinas Kesehatan",
        "III/c",
        "Sekretaris Dinas",
        None,
        None,
        None,
    ],
    [
        6,
        "Rudi Hartono, S.E.",
        "197811232005011004",
        "Dinas Pariwisata",
        "III/d",
        "Kepala Bidang Destinasi",
        None,
        None,
        None,
    ],
    [
        7,
        "dr. Maria Ulfa",
        "199001012015032002",
        "bkpsdm",
        "Penata Muda Tingkat I",
        "Analis SDM Aparatur",
        None,
        "0751-123456",
        None,
    ],
    # Excel keeps 15 significant digits: a NIP typed as a number loses its end.
    [
        8,
        "Joko Susilo",
        197505052000031003.0,
        "BKPSDM",
        "III/b",
        "Pengelola Data",
        None,
        "12345",
        "joko@",
    ],
    [],
    [],
]
for row in rows:
    sheet.append(row)
sheet.column_dimensions["B"].width = 32
sheet.column_dimensions["C"].width = 26
book.save(HERE / "messy_roster.xlsx")
