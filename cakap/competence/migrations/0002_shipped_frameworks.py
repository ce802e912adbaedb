"""Load the two shipped frameworks: Indonesian digital literacy (four pillars) and DigComp 2.2.

Frozen: the frameworks as they were shipped (from cakap/competence/data/*.yaml) and the
code that installs them are copied here, so that a later change to the data files or
to cakap.competence.frameworks_io cannot change what this migration did.
`manage.py load_frameworks` installs the current files.
"""

from decimal import Decimal

from django.db import migrations

FRAMEWORKS = [
    {
        "code": "literasi-digital-4-pilar",
        "name": "Indonesian digital literacy: four pillars",
        "name_id": "Literasi digital Indonesia: empat pilar",
        "description": "Digital skills, digital ethics, digital safety and digital culture, each "
        "scored 1-5.",
        "source": "Kementerian Kominfo / Siberkreasi, Indeks Literasi Digital Indonesia 2022 "
        "(national index 3.54)",
        "levels": [
            {"number": 1, "name": "Very low", "name_id": "Sangat rendah", "description": ""},
            {"number": 2, "name": "Low", "name_id": "Rendah", "description": ""},
            {"number": 3, "name": "Moderate", "name_id": "Sedang", "description": ""},
            {"number": 4, "name": "Good", "name_id": "Baik", "description": ""},
            {"number": 5, "name": "Very good", "name_id": "Sangat baik", "description": ""},
        ],
        "areas": [
            {
                "code": "LD",
                "name": "Four pillars of digital literacy",
                "name_id": "Empat pilar literasi digital",
                "competences": [
                    {
                        "code": "CD",
                        "name": "Digital skills",
                        "name_id": "Cakap Digital",
                        "description": "Knowing and using hardware, software and "
                        "digital platforms.",
                        "reference_value": "3.52",
                    },
                    {
                        "code": "ED",
                        "name": "Digital ethics",
                        "name_id": "Etika Digital",
                        "description": "Being aware of, weighing and applying "
                        "netiquette in daily digital life.",
                        "reference_value": "3.68",
                    },
                    {
                        "code": "AD",
                        "name": "Digital safety",
                        "name_id": "Aman Digital",
                        "description": "Recognising, applying and raising awareness of "
                        "data protection and digital security.",
                        "reference_value": "3.12",
                    },
                    {
                        "code": "BD",
                        "name": "Digital culture",
                        "name_id": "Budaya Digital",
                        "description": "Reading, understanding and building national "
                        "values (Pancasila, Bhinneka Tunggal Ika) in "
                        "digital life.",
                        "reference_value": "3.84",
                    },
                ],
            }
        ],
    },
    {
        "code": "digcomp-2-2",
        "name": "DigComp 2.2",
        "name_id": "DigComp 2.2",
        "description": "The European Digital Competence Framework for Citizens: 5 areas, 21 "
        "competences, 8 proficiency levels (foundation 1-2, intermediate 3-4, "
        "advanced 5-6, highly specialised 7-8).",
        "source": "Vuorikari, R., Kluzer, S. and Punie, Y., DigComp 2.2, Publications Office of the "
        "European Union, 2022, JRC128415",
        "levels": [
            {
                "number": 1,
                "name": "Foundation 1",
                "name_id": "Dasar 1",
                "description": "Simple tasks, with guidance.",
            },
            {
                "number": 2,
                "name": "Foundation 2",
                "name_id": "Dasar 2",
                "description": "Simple tasks, with autonomy and with guidance where needed.",
            },
            {
                "number": 3,
                "name": "Intermediate 3",
                "name_id": "Menengah 3",
                "description": "Well-defined and routine tasks, and straightforward problems, "
                "on my own.",
            },
            {
                "number": 4,
                "name": "Intermediate 4",
                "name_id": "Menengah 4",
                "description": "Tasks, and well-defined and non-routine problems, independently "
                "and according to my needs.",
            },
            {
                "number": 5,
                "name": "Advanced 5",
                "name_id": "Mahir 5",
                "description": "Different tasks and problems, guiding others.",
            },
            {
                "number": 6,
                "name": "Advanced 6",
                "name_id": "Mahir 6",
                "description": "The most appropriate tasks, able to adapt to others in a "
                "complex context.",
            },
            {
                "number": 7,
                "name": "Highly specialised 7",
                "name_id": "Sangat terspesialisasi 7",
                "description": "Resolve complex problems with limited solutions; integrate to "
                "contribute to professional practice and to guide others.",
            },
            {
                "number": 8,
                "name": "Highly specialised 8",
                "name_id": "Sangat terspesialisasi 8",
                "description": "Resolve complex problems with many interacting factors; propose "
                "new ideas and processes to the field.",
            },
        ],
        "areas": [
            {
                "code": "1",
                "name": "Information and data literacy",
                "name_id": "Literasi informasi dan data",
                "competences": [
                    {
                        "code": "1.1",
                        "name": "Browsing, searching and filtering data, information "
                        "and digital content",
                        "name_id": "Menjelajah, mencari, dan menyaring data, informasi, "
                        "dan konten digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "1.2",
                        "name": "Evaluating data, information and digital content",
                        "name_id": "Mengevaluasi data, informasi, dan konten digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "1.3",
                        "name": "Managing data, information and digital content",
                        "name_id": "Mengelola data, informasi, dan konten digital",
                        "description": "",
                        "reference_value": None,
                    },
                ],
            },
            {
                "code": "2",
                "name": "Communication and collaboration",
                "name_id": "Komunikasi dan kolaborasi",
                "competences": [
                    {
                        "code": "2.1",
                        "name": "Interacting through digital technologies",
                        "name_id": "Berinteraksi melalui teknologi digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "2.2",
                        "name": "Sharing through digital technologies",
                        "name_id": "Berbagi melalui teknologi digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "2.3",
                        "name": "Engaging in citizenship through digital technologies",
                        "name_id": "Berpartisipasi sebagai warga melalui teknologi digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "2.4",
                        "name": "Collaborating through digital technologies",
                        "name_id": "Berkolaborasi melalui teknologi digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "2.5",
                        "name": "Netiquette",
                        "name_id": "Etiket berinternet (netiket)",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "2.6",
                        "name": "Managing digital identity",
                        "name_id": "Mengelola identitas digital",
                        "description": "",
                        "reference_value": None,
                    },
                ],
            },
            {
                "code": "3",
                "name": "Digital content creation",
                "name_id": "Pembuatan konten digital",
                "competences": [
                    {
                        "code": "3.1",
                        "name": "Developing digital content",
                        "name_id": "Mengembangkan konten digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "3.2",
                        "name": "Integrating and re-elaborating digital content",
                        "name_id": "Memadukan dan mengolah ulang konten digital",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "3.3",
                        "name": "Copyright and licences",
                        "name_id": "Hak cipta dan lisensi",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "3.4",
                        "name": "Programming",
                        "name_id": "Pemrograman",
                        "description": "",
                        "reference_value": None,
                    },
                ],
            },
            {
                "code": "4",
                "name": "Safety",
                "name_id": "Keamanan",
                "competences": [
                    {
                        "code": "4.1",
                        "name": "Protecting devices",
                        "name_id": "Melindungi perangkat",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "4.2",
                        "name": "Protecting personal data and privacy",
                        "name_id": "Melindungi data pribadi dan privasi",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "4.3",
                        "name": "Protecting health and well-being",
                        "name_id": "Melindungi kesehatan dan kesejahteraan",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "4.4",
                        "name": "Protecting the environment",
                        "name_id": "Melindungi lingkungan",
                        "description": "",
                        "reference_value": None,
                    },
                ],
            },
            {
                "code": "5",
                "name": "Problem solving",
                "name_id": "Pemecahan masalah",
                "competences": [
                    {
                        "code": "5.1",
                        "name": "Solving technical problems",
                        "name_id": "Memecahkan masalah teknis",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "5.2",
                        "name": "Identifying needs and technological responses",
                        "name_id": "Mengenali kebutuhan dan solusi teknologinya",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "5.3",
                        "name": "Creatively using digital technologies",
                        "name_id": "Menggunakan teknologi digital secara kreatif",
                        "description": "",
                        "reference_value": None,
                    },
                    {
                        "code": "5.4",
                        "name": "Identifying digital competence gaps",
                        "name_id": "Mengenali kesenjangan kompetensi digital",
                        "description": "",
                        "reference_value": None,
                    },
                ],
            },
        ],
    },
]


def load(apps, schema_editor):
    Framework = apps.get_model("competence", "Framework")
    Level = apps.get_model("competence", "Level")
    Area = apps.get_model("competence", "Area")
    Competence = apps.get_model("competence", "Competence")
    for spec in FRAMEWORKS:
        framework, _created = Framework.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_id": spec.get("name_id", ""),
                "description": spec.get("description", ""),
                "source": spec.get("source", ""),
                "builtin": True,
            },
        )
        for level in spec["levels"]:
            Level.objects.update_or_create(
                framework=framework,
                number=level["number"],
                defaults={
                    "name": level["name"],
                    "name_id": level.get("name_id", ""),
                    "description": level.get("description", ""),
                },
            )
        order = 0
        for a_order, area_spec in enumerate(spec["areas"], start=1):
            area, _c = Area.objects.update_or_create(
                framework=framework,
                code=area_spec["code"],
                defaults={
                    "name": area_spec["name"],
                    "name_id": area_spec.get("name_id", ""),
                    "order": a_order,
                },
            )
            for comp in area_spec["competences"]:
                order += 1
                ref = comp.get("reference_value")
                Competence.objects.update_or_create(
                    framework=framework,
                    code=comp["code"],
                    defaults={
                        "area": area,
                        "name": comp["name"],
                        "name_id": comp.get("name_id", ""),
                        "description": comp.get("description", ""),
                        "order": order,
                        "reference_value": Decimal(str(ref)) if ref not in (None, "") else None,
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("competence", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
