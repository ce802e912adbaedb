"""Load the two shipped frameworks: Indonesian digital literacy (four pillars) and DigComp 2.2.

The data lives in cakap/competence/data/*.yaml; `manage.py load_frameworks` reloads it.
"""

from django.db import migrations


def load(apps, schema_editor):
    from cakap.competence.frameworks_io import SHIPPED, install, load_shipped

    models = {
        name: apps.get_model("competence", name)
        for name in ("Framework", "Level", "Area", "Competence")
    }
    for filename in SHIPPED:
        install(load_shipped(filename), models, builtin=True)


class Migration(migrations.Migration):
    dependencies = [("competence", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
