"""Who reviews a filing is the county's setting per sector: by default the sector's regulator department;
where the county delegated a sector to the towns, the enterprise's town accepts or returns the book."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safegrid.core.models import AuditEntry
from safegrid.notifications.models import Notification
from safegrid.regions.models import Sector
from safegrid.risks.choices import FilingStatus
from safegrid.risks.models import FilingReviewer
from safegrid.risks.services import filing as filing_services
from safegrid.risks.services import filing_reviewers as services
from safegrid.risks.workflows import FILING
from safegrid.testworld import World

from . import factories
from .test_filing import complete_register

pytestmark = pytest.mark.django_db

URL = reverse("risks:filing_reviewers")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _delegate_chemicals_to_towns(world: World) -> None:
    services.filing_reviewers_save(
        actor=world.user("county_admin"), county_code="370321", choices={"hazardous_chemicals": "town"}
    )


def test_the_county_admin_sets_the_reviewer_per_sector_audited(world: World) -> None:
    admin = world.user("county_admin")
    assert (
        services.filing_reviewers_save(actor=admin, county_code="370321", choices={"fire": "department"}) == 0
    )
    assert not FilingReviewer.objects.exists()  # the default needs no row
    assert services.filing_reviewers_save(actor=admin, county_code="370321", choices={"fire": "town"}) == 1
    assert services.filing_reviewers_save(actor=admin, county_code="370321", choices={"fire": "town"}) == 0
    assert (
        services.filing_reviewers_save(actor=admin, county_code="370321", choices={"fire": "department"}) == 1
    )
    row = FilingReviewer.objects.get()
    assert (row.county_id, row.sector.code, row.reviewer) == ("370321", "fire", "department")
    entries = AuditEntry.objects.filter(object_type="risks.filingreviewer").order_by("id")
    assert [e.action for e in entries] == ["create", "update"]


@pytest.mark.parametrize(
    ("choices", "field", "message"),
    [
        ({"fire": "village"}, "fire", "未知的审核单位：village"),
        ({"no_such_sector": "town"}, "no_such_sector", "未知的行业领域"),
    ],
)
def test_bad_settings_are_refused_whole(
    world: World, choices: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.filing_reviewers_save(
            actor=world.user("county_admin"),
            county_code="370321",
            choices={"building_construction": "town", **choices},
        )
    assert excinfo.value.message_dict[field] == [message]
    assert not FilingReviewer.objects.exists()


@pytest.mark.parametrize("username", ["county_officer_x", "town_a", "dept_chem", "ent_a"])
def test_only_the_county_admin_changes_the_setting(world: World, username: str) -> None:
    from safegrid.core.choices import Role
    from safegrid.core.testing import make_user

    user = (
        make_user(username, {"role": Role.COUNTY_OFFICER})
        if username == "county_officer_x"
        else world.user(username)
    )
    with pytest.raises(PermissionDenied):
        services.filing_reviewers_save(actor=user, county_code="370321", choices={"fire": "town"})


def test_a_town_with_delegation_accepts_the_filing_and_the_department_no_longer_does(world: World) -> None:
    complete_register(world)
    _delegate_chemicals_to_towns(world)
    filing = factories.filed(world)
    recipients = {n.recipient.username for n in Notification.objects.filter(kind="risks.filing_filed")}
    assert recipients == {"town_a"}  # the town reviews; the department is not asked to
    assert FILING.available(world.user("town_a"), filing) == [("accept", "接收"), ("return", "退回")]
    assert FILING.available(world.user("dept_chem"), filing) == []
    with pytest.raises(PermissionDenied, match="已委托属地镇街审核"):
        filing_services.filing_accept(actor=world.user("dept_chem"), filing=filing)
    with pytest.raises(PermissionDenied, match="该企业不在您的监管范围内"):
        filing_services.filing_accept(actor=world.user("town_b"), filing=filing)
    accepted = filing_services.filing_accept(actor=world.user("town_a"), filing=filing, comment="镇街已核")
    assert (accepted.status, accepted.reviewed_by) == (FilingStatus.ACCEPTED, world.user("town_a"))


def test_without_delegation_the_town_only_reads(world: World) -> None:
    complete_register(world)
    filing = factories.filed(world)
    with pytest.raises(PermissionDenied, match="县里未委托镇街审核"):
        filing_services.filing_accept(actor=world.user("town_a"), filing=filing)
    assert filing_services.filing_accept(actor=world.user("dept_chem"), filing=filing).status == "accepted"


# ---- the pages ---------------------------------------------------------------------------------


def test_the_settings_page_is_edited_by_the_county_admin_and_read_by_officers(
    world: World, login: Any
) -> None:
    admin = login(world.user("county_admin"))
    page = admin.get(URL).content.decode()
    assert "危险化学品" in page and 'name="hazardous_chemicals"' in page
    data = dict.fromkeys(Sector.objects.values_list("code", flat=True), "department")
    assert admin.post(URL, {**data, "hazardous_chemicals": "bogus"}).status_code == 200  # refused, shown
    assert not FilingReviewer.objects.exists()
    assert admin.post(URL, {**data, "hazardous_chemicals": "town"}).status_code == 302
    assert FilingReviewer.objects.get().sector.code == "hazardous_chemicals"
    town = login(world.user("town_a"))
    page = town.get(URL).content.decode()
    assert "属地镇街（受委托）" in page and 'name="hazardous_chemicals"' not in page
    assert town.post(URL, {"hazardous_chemicals": "department"}).status_code == 403
    for username in ("ent_a", "post_a", "outsider"):
        assert login(world.user(username)).get(URL).status_code == 403
    assert FilingReviewer.objects.get().reviewer == "town"


def test_the_town_officer_accepts_on_the_filing_page(world: World, login: Any) -> None:
    complete_register(world)
    _delegate_chemicals_to_towns(world)
    filing = factories.filed(world)
    client = login(world.user("town_a"))
    detail = reverse("risks:filing_detail", args=[filing.pk])
    page = client.get(detail).content.decode()
    assert "接收备案" in page and "索镇街道（受县委托）" in page
    assert client.post(reverse("risks:filing_accept", args=[filing.pk]), {"comment": ""}).status_code == 302
    filing.refresh_from_db()
    assert (filing.status, filing.reviewed_by) == (FilingStatus.ACCEPTED, world.user("town_a"))
    assert (
        login(world.user("town_b")).post(reverse("risks:filing_return", args=[filing.pk])).status_code == 404
    )
