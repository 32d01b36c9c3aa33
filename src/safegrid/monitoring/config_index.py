"""The county's dynamic risk index method: `rules.risk_index.RiskIndexConfig` defaults overridden by the
setting `SAFEGRID_RISK_INDEX` (a JSON object, e.g. {"red": 75, "major_hazard": 15})."""

from __future__ import annotations

import json

from django.conf import settings

from .rules.risk_index import RiskIndexConfig, config_from


def risk_index_config() -> RiskIndexConfig:
    value = getattr(settings, "SAFEGRID_RISK_INDEX", None)
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    return config_from(value)
