"""Stable codes for hazard factors (H01…) and control measures (M01…) within their risk point, and an
`active` flag on hazard factors and responsibility tiers, so a register import updates in place and
retires what a file no longer lists instead of deleting it.

Existing rows are numbered per point in the order the register shows them (factors by step, then
id; measures by id), without loading the models: one UPDATE per code value and batch of ids.
"""

from collections import defaultdict

from django.db import migrations, models

BATCH = 5_000


def _number(model, prefix, order):
    by_code = defaultdict(list)
    point, n = None, 0
    rows = model.objects.order_by("risk_point_id", *order).values_list("pk", "risk_point_id")
    for pk, risk_point_id in rows.iterator(chunk_size=BATCH):
        if risk_point_id != point:
            point, n = risk_point_id, 0
        n += 1
        by_code[f"{prefix}{n:02d}"].append(pk)
    for code, ids in by_code.items():
        for start in range(0, len(ids), BATCH):
            model.objects.filter(pk__in=ids[start : start + BATCH]).update(code=code)


def backfill(apps, schema_editor):
    # Factors: SCL ones (no step) first, then by step, then by id - the order on the register page.
    _number(apps.get_model("risks", "HazardFactor"), "H", ("step_no", "id"))
    _number(apps.get_model("risks", "ControlMeasure"), "M", ("id",))


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0009_regional_review_reminder"),
    ]

    operations = [
        migrations.AddField(
            model_name="hazardfactor",
            name="code",
            field=models.CharField(
                default="",
                help_text="风险点内唯一，由系统按 H01、H02… 编号；导入时据此更新原有危险源",
                max_length=16,
                verbose_name="危险源编号",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="hazardfactor",
            name="active",
            field=models.BooleanField(default=True, verbose_name="在用"),
        ),
        migrations.AddField(
            model_name="controlmeasure",
            name="code",
            field=models.CharField(
                default="",
                help_text="风险点内唯一，由系统按 M01、M02… 编号；导入时据此更新原有措施",
                max_length=16,
                verbose_name="措施编号",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="responsibilityassignment",
            name="active",
            field=models.BooleanField(default=True, verbose_name="在用"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="hazardfactor",
            constraint=models.UniqueConstraint(fields=("risk_point", "code"), name="hazard_factor_code_unique"),
        ),
        migrations.AddConstraint(
            model_name="controlmeasure",
            constraint=models.UniqueConstraint(fields=("risk_point", "code"), name="control_measure_code_unique"),
        ),
    ]
