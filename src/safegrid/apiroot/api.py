"""The SafeGrid HTTP API: one SafeGridAPI under /api/v1/ with each app's router mounted on it.

A new app writes `<app>/api.py` (a ninja Router importing only `safegrid.api`) and is mounted here.
"""

from __future__ import annotations

from safegrid.api.auth import api_auth
from safegrid.api.docs import SwaggerDocs
from safegrid.api.ninja_api import SafeGridAPI
from safegrid.api.signin import router as auth_router
from safegrid.enterprises.api import router as enterprises_router
from safegrid.hazards.api import router as hazards_router
from safegrid.hazards.api_checklists import router as checklists_router
from safegrid.hazards.api_inspection import router as inspections_router
from safegrid.hazards.api_selfreport import router as self_reports_router
from safegrid.hazards.national.api import router as national_router
from safegrid.majorhazards.api import router as majorhazards_router
from safegrid.monitoring.api_alarms import router as monitoring_alarms_router
from safegrid.monitoring.api_events import router as monitoring_events_router
from safegrid.monitoring.api_index import router as monitoring_index_router
from safegrid.monitoring.api_ingest import router as monitoring_ingest_router
from safegrid.monitoring.api_points import router as monitoring_points_router
from safegrid.regions.api import router as regions_router
from safegrid.risks.api import router as risks_router

DESCRIPTION = """安全生产双重预防（风险分级管控 + 隐患排查治理）平台接口。

**认证**：先用 `POST /api/v1/auth/token` 以用户名和密码换取令牌，之后每个请求带
`Authorization: Bearer <token>`。所有数据按当前用户的管辖范围过滤：范围外的对象返回 404。

**错误**：统一为 `{"error": {"code", "message", "fields"}}`，`fields` 为字段名 → 错误信息。

**幂等键（Idempotency-Key）**：每个写请求（POST/PUT/PATCH/DELETE）都可带请求头
`Idempotency-Key: <键>`（8–255 个字符，字母、数字和 `- _ . : ~ + / =`，建议每个新请求用一个新的 UUID）。
网络中断等情况下用同一个键重发同一请求是安全的：

- 首个请求成功（2xx）后，同一用户用同一键重发相同的请求（方法、路径、请求体相同），返回首次的状态码和应答体，
  并带应答头 `Idempotent-Replayed: true`，不会重复创建或修改任何数据；
- 同一键用于不同的请求（方法、路径或请求体不同）：422，`fields` 中为 `Idempotency-Key`；
- 使用该键的首个请求仍在处理中：409，`fields` 中为 `Idempotency-Key`，稍后重试即可；
- 出错的请求（4xx、5xx）不保存结果，整个请求已回滚，可用同一键重试；
- 键按用户区分，保存 24 小时（`SAFEGRID_IDEMPOTENCY_KEY_HOURS`），过期后视为新键。
"""

api = SafeGridAPI(
    title="SafeGrid API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=api_auth,
    docs=SwaggerDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/auth", auth_router)
api.add_router("/", regions_router)
api.add_router("/", enterprises_router)
api.add_router("/risks", risks_router)
api.add_router("/hazards", hazards_router)
api.add_router("/", inspections_router)
api.add_router("/", self_reports_router)
api.add_router("/", checklists_router)
api.add_router("/national", national_router)
api.add_router("/", majorhazards_router)
api.add_router("/", monitoring_ingest_router)
api.add_router("/", monitoring_alarms_router)
api.add_router("/", monitoring_events_router)
api.add_router("/", monitoring_index_router)
api.add_router("/monitoring", monitoring_points_router)
