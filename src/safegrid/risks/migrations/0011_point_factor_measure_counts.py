"""Each risk point keeps the number of its hazard factors and control measures in use
(`services.revision` maintains them), so the point list shows and sorts them from the row and an
index instead of two counting subqueries per row. Existing points are counted here: one UPDATE."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_items(apps, schema_editor):
    RiskPoint = apps.get_model("risks", "RiskPoint")

    def counted(model_name):
        model = apps.get_model("risks", model_name)
        rows = model.objects.filter(risk_point=OuterRef("pk"), active=True).order_by()
        return Coalesce(Subquery(rows.values("risk_point").annotate(n=Count("pk")).values("n")[:1]), 0)

    RiskPoint.objects.update(factor_count=counted("HazardFactor"), measure_count=counted("ControlMeasure"))


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0007_import_preview"),
        ("risks", "0010_item_codes_and_retired_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskpoint",
            name="factor_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="危险源数"),
        ),
        migrations.AddField(
            model_name="riskpoint",
            name="measure_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="管控措施数"),
        ),
        migrations.RunPython(count_items, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="riskpoint",
            index=models.Index(fields=["factor_count", "id"], name="risk_point_factors_id_idx"),
        ),
        migrations.AddIndex(
            model_name="riskpoint",
            index=models.Index(fields=["measure_count", "id"], name="risk_point_measures_id_idx"),
        ),
    ]
