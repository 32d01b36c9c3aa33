"""API sign-in: exchange a username and password for a bearer token, revoke it, and say who I am."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from safegrid.api.auth import current_token, current_user
from safegrid.api.errors import THROTTLED, UNAUTHORIZED, error_body
from safegrid.api.schemas import ErrorOut, InputSchema, Secret
from safegrid.core import tokens
from safegrid.core.models import User

router = Router(tags=["认证"])


class TokenIn(InputSchema):
    username: str = Field(min_length=1, max_length=150)
    password: Secret = Field(min_length=1, max_length=256)
    name: str | None = Field(None, max_length=tokens.NAME_MAX_LENGTH, description="令牌名称（便于区分用途）")


class TokenOut(Schema):
    token: str = Field(description="令牌（只显示这一次），以 Authorization: Bearer <token> 使用")
    prefix: str
    expires_at: dt.datetime


class RoleOut(Schema):
    role: str
    role_display: str
    department: int | None = Field(validation_alias="department_id")
    division: str | None = Field(validation_alias="division_id")
    grid: int | None = Field(validation_alias="grid_id")
    enterprise: int | None = Field(validation_alias="enterprise_id")
    org_unit: int | None = Field(validation_alias="org_unit_id")

    @staticmethod
    def resolve_role_display(obj: Any) -> str:
        return str(obj.get_role_display())


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    is_superuser: bool
    roles: list[RoleOut]
    auth: str = Field(description="token 或 session")
    token_prefix: str | None = None
    token_expires_at: dt.datetime | None = None


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="用用户名和密码换取 API 令牌",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Any:
    # Through django.contrib.auth so django-axes counts failures and locks after AXES_FAILURE_LIMIT.
    user = authenticate(request=request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # Answer in the API's own shape and keep AxesMiddleware from swapping in its HTML page.
        request.axes_locked_out = False  # type: ignore[attr-defined]
        return Status(429, error_body(THROTTLED, "登录失败次数过多，账号已被临时锁定，请稍后再试"))
    if not isinstance(user, User) or not user.is_active:
        return Status(401, error_body(UNAUTHORIZED, "用户名或密码错误"))
    raw, token = tokens.token_issue(actor=user, user=user, name=payload.name or "api")
    return Status(200, {"token": raw, "prefix": token.prefix, "expires_at": token.expires_at})


@router.delete(
    "/token",
    response={204: None, 401: ErrorOut, 422: ErrorOut},
    summary="吊销当前使用的令牌",
)
def token_delete(request: HttpRequest) -> Any:
    token = current_token(request)
    if token is None:
        return Status(422, error_body("validation_error", "当前请求未使用 Bearer 令牌，无可吊销的令牌"))
    tokens.token_revoke(actor=current_user(request), token=token)
    return Status(204, None)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="当前用户及其角色")
def me(request: HttpRequest) -> Any:
    user = current_user(request)
    token = current_token(request)
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone,
        "is_superuser": user.is_superuser,
        "roles": list(user.role_assignments.order_by("id")),
        "auth": "token" if token else "session",
        "token_prefix": token.prefix if token else None,
        "token_expires_at": token.expires_at if token else None,
    }
