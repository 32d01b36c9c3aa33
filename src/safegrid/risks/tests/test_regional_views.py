"""Regional risk pages: the basis in words (REGIONAL/2 and old REGIONAL/1 rows), the county admin's settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from safegrid.core.models import AuditEntry
from safegrid.risks.models import RegionalRisk, RiskSettings
from safegrid.risks.tests.test_map_views import mapped
from safegrid.testworld import World

__all__ = ["mapped"]  # the fixture: the test world with graded points and this year's regional rows


@pytest.mark.django_db
def test_regional_list_and_adjust_show_the_basis_in_words(mapped: World, login: Any) -> None:
    client = login(mapped.user("county_admin"))
    row = RegionalRisk.objects.get(division=mapped.town_a, year=2026)
    body = client.get(reverse("risks:regional_adjust", args=[row.pk])).content.decode()
    assert "辖区 1 家已评估企业中重大 1 家" in body
    assert "风险指数 1 ≥ 红色阈值 0.3 → 重大风险（红）" in body
    assert "REGIONAL/2" in body
    listed = client.get(reverse("risks:regional_list"), {"year": 2026}).content.decode()
    assert "风险指数 1 ≥ 红色阈值 0.3" in listed and "REGIONAL/2" in listed


@pytest.mark.django_db
def test_a_regional_1_row_keeps_its_old_basis(mapped: World, login: Any) -> None:
    row = RegionalRisk.objects.get(division=mapped.town_b, year=2026)
    old = {"method": "REGIONAL/1", "rule": "level3_many", "enterprises": {"3": 3}, "unassessed": 1}
    RegionalRisk.objects.filter(pk=row.pk).update(proposal_basis=old, method_version="REGIONAL/1")
    body = login(mapped.user("county_admin")).get(reverse("risks:regional_adjust", args=[row.pk]))
    text = body.content.decode()
    assert "一般风险企业数达到阈值（一般 3；未评定 1）" in text and "REGIONAL/1" in text


@pytest.mark.django_db
def test_regional_settings_page_is_the_county_admins(mapped: World, login: Any) -> None:
    url = reverse("risks:regional_settings")
    for username in ("town_a", "dept_chem", "ent_a"):
        assert login(mapped.user(username)).get(url).status_code in (403, 404)
    client = login(mapped.user("county_admin"))
    page = client.get(url)
    assert page.status_code == 200 and "当前使用默认值" not in page.content.decode()  # min base 1 set
    form = {
        "regional_weight_major": "1",
        "regional_weight_large": "0.5",
        "regional_weight_general": "0.2",
        "regional_weight_low": "0",
        "regional_red": "0.3",
        "regional_orange": "0.4",
        "regional_yellow": "0.1",
        "regional_min_base": "1",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "红 &gt; 橙 &gt; 黄 &gt; 0" in refused.content.decode()
    assert client.post(url, {**form, "regional_red": "0.6"}).status_code == 302
    settings_row = RiskSettings.objects.get(county=mapped.county)
    assert settings_row.regional_config().thresholds == (Decimal("0.6"), Decimal("0.4"), Decimal("0.1"))
    assert AuditEntry.objects.filter(
        object_type="risks.risksettings", actor=mapped.user("county_admin")
    ).exists()
    assert client.get(url, {"county": mapped.town_a.pk}).status_code == 404
