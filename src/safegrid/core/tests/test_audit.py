import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safegrid.core import audit
from safegrid.core.models import AuditEntry
from safegrid.enterprises import services
from safegrid.enterprises.models import Enterprise


def test_every_service_write_is_chained_and_verifies(world):
    n = AuditEntry.objects.count()
    assert n > 10
    services.enterprise_update(actor=world.user("town_a"), enterprise=world.ent_a, data={"employees": 42})
    last = AuditEntry.objects.order_by("-id").first()
    assert last.action == "update" and last.actor_label == "town_a"
    assert last.before == {"employees": 0} and last.after["employees"] == 42
    assert last.enterprise_id == world.ent_a.pk
    assert audit.verify().ok
    call_command("audit", "verify")


def test_verify_detects_an_edited_row(world):
    victim = AuditEntry.objects.order_by("id")[3]
    AuditEntry.objects.filter(pk=victim.pk).update(comment="tampered")
    result = audit.verify()
    assert not result.ok and result.first_bad_id == victim.pk
    with pytest.raises(CommandError, match=str(victim.pk)):
        call_command("audit", "verify")


def test_verify_detects_a_removed_middle_row(world):
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    AuditEntry.objects.filter(pk=ids[4]).delete()
    result = audit.verify()
    assert not result.ok and result.first_bad_id == ids[5]


def test_verify_detects_a_removed_tail(world):
    AuditEntry.objects.order_by("-id").first().delete()
    assert not audit.verify().ok


def test_refused_write_leaves_nothing(world):
    from django.core.exceptions import ValidationError

    before = (Enterprise.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as err:
        services.enterprise_create(
            actor=world.user("county_admin"),
            data={
                "name": "坏代码公司",
                "uscc": "91370321MA3C00001X",
                "division": world.village_a,
                "legal_rep": "某",
            },
            sectors=[1],
        )
    assert "uscc" in err.value.message_dict
    assert (Enterprise.objects.count(), AuditEntry.objects.count()) == before
