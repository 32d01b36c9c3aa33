"""Reference data: the ten sectors and the departments that lead them (seed attachment)."""

from django.db import migrations

from safegrid.regions.choices import DEPARTMENTS, SECTORS


def load(apps, schema_editor):
    Sector = apps.get_model("regions", "Sector")
    Department = apps.get_model("regions", "Department")
    by_code = {}
    for order, (code, name) in enumerate(SECTORS, start=1):
        by_code[code], _ = Sector.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
    for code, name, short, sectors in DEPARTMENTS:
        dept, _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "is_safety_office": code == "safety_office"}
        )
        dept.sectors.set([by_code[s] for s in sectors])


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
