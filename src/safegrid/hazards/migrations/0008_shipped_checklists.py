"""Ship the checklists of `rules.checklists` (the 20 hazardous-chemicals criteria, the fire key places'
defects, a general industry-and-trade list) as county-owned, read-only data; and drop the presence
methods that were chosen rather than proven ("qr"/"nfc" picked from a list) to "none"."""

from django.db import migrations


def ship(apps, schema_editor):
    from safegrid.hazards.rules.checklists import SHIPPED_CHECKLISTS

    Template = apps.get_model("hazards", "ChecklistTemplate")
    Item = apps.get_model("hazards", "ChecklistItem")
    Criterion = apps.get_model("hazards", "MajorCriterion")
    criteria = {c.code: c for c in Criterion.objects.all()}
    for shipped in SHIPPED_CHECKLISTS:
        template, _ = Template.objects.update_or_create(
            shipped_code=shipped.code,
            defaults={
                "enterprise": None,
                "name": shipped.name,
                "sector_code": shipped.sector,
                "kind": shipped.kind,
                "basis": shipped.basis,
                "description": shipped.description,
                "active": True,
            },
        )
        template.items.all().delete()
        Item.objects.bulk_create(
            Item(
                template=template,
                number=number,
                code=item.code,
                text=item.text,
                basis=item.basis,
                criterion=criteria.get(item.criterion) if item.criterion else None,
            )
            for number, item in enumerate(shipped.items, start=1)
        )
    CheckRecord = apps.get_model("hazards", "CheckRecord")
    CheckRecord.objects.filter(presence__in=["qr", "nfc"]).update(presence="none")


def unship(apps, schema_editor):
    Template = apps.get_model("hazards", "ChecklistTemplate")
    Template.objects.exclude(shipped_code="").filter(tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0007_checklists_presence_trust")]

    operations = [migrations.RunPython(ship, unship)]
