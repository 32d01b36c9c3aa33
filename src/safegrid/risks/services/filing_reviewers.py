"""Who reviews each sector's 一企一册 filings in a county: the county admin's setting, audited per change."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from safegrid.core.models import User
from safegrid.core.services import object_create, object_update
from safegrid.regions.models import Division, Sector

from .. import permissions
from ..choices import FilingReviewerKind
from ..models import FilingReviewer


def filing_reviewers_save(*, actor: User, county_code: str, choices: Mapping[str, str]) -> int:
    """Set the reviewer of each sector (by sector code) in the county; returns how many rows changed.

    Only the county admin; an unknown sector or reviewer refuses the whole change."""
    if not permissions.can_set_filing_reviewers(actor):
        raise PermissionDenied("只有县级管理员可以设置一企一册备案的审核单位")
    county = Division.objects.filter(code=county_code, level="county").first()
    if county is None:
        raise ValidationError({"county": "须选择县级行政区划"})
    sectors = {s.code: s for s in Sector.objects.all()}
    errors = {
        code: f"未知的审核单位：{value}"
        for code, value in choices.items()
        if code in sectors and value not in FilingReviewerKind.values
    }
    errors.update({code: "未知的行业领域" for code in choices if code not in sectors})
    if errors:
        raise ValidationError(errors)
    changed = 0
    with transaction.atomic():
        existing = {r.sector_id: r for r in FilingReviewer.objects.select_for_update().filter(county=county)}
        for code, value in sorted(choices.items()):
            sector = sectors[code]
            row = existing.get(sector.pk)
            if row is None:
                if value == FilingReviewerKind.DEPARTMENT:
                    continue  # the default needs no row
                object_create(
                    actor=actor,
                    model=FilingReviewer,
                    data={"county": county, "sector": sector, "reviewer": value},
                )
                changed += 1
            elif row.reviewer != value:
                object_update(actor=actor, obj=row, data={"reviewer": value})
                changed += 1
    return changed
