"""The SafeGrid HTTP API: one NinjaAPI under /api/v1/ with each app's router mounted on it."""

from __future__ import annotations

from ninja import NinjaAPI

from safegrid.core.api import router as auth_router
from safegrid.enterprises.api import router as enterprises_router
from safegrid.regions.api import router as regions_router
from safegrid.risks.api import router as risks_router

from . import errors
from .auth import api_auth
from .docs import SwaggerDocs

api = NinjaAPI(
    title="SafeGrid API",
    version="1",
    description=(
        "安全生产双重预防（风险分级管控 + 隐患排查治理）平台接口。"
        "先用 `POST /api/v1/auth/token` 以用户名和密码换取令牌，之后每个请求带 "
        "`Authorization: Bearer <token>`。所有数据按当前用户的管辖范围过滤：范围外的对象返回 404。"
        '错误统一为 `{"error": {"code", "message", "fields"}}`。'
    ),
    urls_namespace="api",
    auth=api_auth,
    docs=SwaggerDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/auth", auth_router)
api.add_router("/", regions_router)
api.add_router("/", enterprises_router)
api.add_router("/risks", risks_router)
