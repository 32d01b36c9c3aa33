"""Schemas shared by every router: the error body, pagination, coordinates."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from django.conf import settings
from ninja import Field, Schema

MAX_PAGE_SIZE = 200

Latitude = Annotated[float, Field(ge=-90, le=90, description="纬度（WGS84，-90～90）")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="经度（WGS84，-180～180）")]


class ErrorDetail(Schema):
    code: str = Field(
        description="validation_error / not_found / forbidden / unauthorized / conflict / throttled"
    )
    message: str = Field(description="中文说明")
    fields: dict[str, list[str]] = Field(default_factory=dict, description="字段名 → 错误信息")


class ErrorOut(Schema):
    error: ErrorDetail


T = TypeVar("T")


class PageParams(Schema):
    """limit/offset pagination; every list answers its total so clients can page."""

    limit: int = Field(settings.SAFEGRID_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数")
    offset: int = Field(0, ge=0, description="跳过的条数")


class Page(Schema, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


# The error statuses every authenticated route can answer, for the OpenAPI document.
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
