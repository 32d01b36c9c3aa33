"""Ship the 20 hazardous-chemicals major-hidden-hazard criteria (安监总管三〔2017〕121号) as county data."""

from django.db import migrations

from safegrid.hazards.rules.criteria import SHIPPED_CRITERIA


def ship(apps, schema_editor):
    MajorCriterion = apps.get_model("hazards", "MajorCriterion")
    for c in SHIPPED_CRITERIA:
        MajorCriterion.objects.update_or_create(
            code=c.code,
            defaults={"sector_code": c.sector, "number": c.number, "text": c.text, "standard": c.standard},
        )


def unship(apps, schema_editor):
    apps.get_model("hazards", "MajorCriterion").objects.filter(code__in=[c.code for c in SHIPPED_CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
