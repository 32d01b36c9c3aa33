"""Regional thresholds for a county a year into the programme (risks.rules.regional.DEFAULT_THRESHOLDS).

Settings still holding the first defaults (0.47 / 0.4 / 0.2: nobody chose them) move to the new ones;
thresholds a county set itself are kept.
"""

from decimal import Decimal

from django.db import migrations, models

FIRST = (Decimal("0.47"), Decimal("0.4"), Decimal("0.2"))
NEW = (Decimal("0.3"), Decimal("0.18"), Decimal("0.1"))


def move_untouched(apps, schema_editor):
    settings = apps.get_model("risks", "RiskSettings")
    red, orange, yellow = FIRST
    settings.objects.filter(regional_red=red, regional_orange=orange, regional_yellow=yellow).update(
        regional_red=NEW[0], regional_orange=NEW[1], regional_yellow=NEW[2]
    )


def move_back(apps, schema_editor):
    settings = apps.get_model("risks", "RiskSettings")
    red, orange, yellow = NEW
    settings.objects.filter(regional_red=red, regional_orange=orange, regional_yellow=yellow).update(
        regional_red=FIRST[0], regional_orange=FIRST[1], regional_yellow=FIRST[2]
    )


class Migration(migrations.Migration):
    dependencies = [("risks", "0011_point_factor_measure_counts")]

    operations = [
        migrations.AlterField(
            model_name="risksettings",
            name="regional_red",
            field=models.DecimalField(
                decimal_places=4, default=Decimal("0.3"), max_digits=8, verbose_name="红色（重大）指数阈值"
            ),
        ),
        migrations.AlterField(
            model_name="risksettings",
            name="regional_orange",
            field=models.DecimalField(
                decimal_places=4, default=Decimal("0.18"), max_digits=8, verbose_name="橙色（较大）指数阈值"
            ),
        ),
        migrations.AlterField(
            model_name="risksettings",
            name="regional_yellow",
            field=models.DecimalField(
                decimal_places=4, default=Decimal("0.1"), max_digits=8, verbose_name="黄色（一般）指数阈值"
            ),
        ),
        migrations.RunPython(move_untouched, move_back),
    ]
