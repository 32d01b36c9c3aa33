from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def backfill(apps, schema_editor):
    RegisterRevision = apps.get_model("risks", "RegisterRevision")
    RiskPoint = apps.get_model("risks", "RiskPoint")
    worst = (
        RiskPoint.objects.filter(enterprise_id=OuterRef("enterprise_id"), active=True)
        .order_by()
        .values("enterprise_id")
        .annotate(m=Min("level"))
        .values("m")[:1]
    )
    RegisterRevision.objects.update(risk_level=Subquery(worst))


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0003_site_plan"),
    ]

    operations = [
        migrations.AddField(
            model_name="registerrevision",
            name="risk_level",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="企业风险等级"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
