"""Schemas shared by every router: input schemas (the input rule), ids, the error body, pagination,
coordinates.

Every schema that reads a request (body or query) derives from `InputSchema`: each string in it
(and in its lists) passes `core.text.clean_text` before the field's own checks, so control
characters are a 422 naming the field, text is NFC without surrounding spaces, and "   " is blank
(a `min_length=1` field refuses it). `LongText` marks a multi-line field (tab and line breaks
kept), `Secret` a value taken as sent (a password). A body that is not a JSON object is a 422.
`apiroot/tests/test_boundary.py` checks that every route's input schemas are InputSchemas.
"""

from __future__ import annotations

import functools
import typing
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from django.conf import settings
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, ValidationInfo, field_validator, model_validator

from safegrid.core.params import MAX_ID
from safegrid.core.text import TextRefused, clean_text

MAX_PAGE_SIZE = 200
BLANK = "此字段不能为空"
NOT_AN_OBJECT = "请求体须为 JSON 对象（{…}）"


class TextRule:
    """A marker in `Annotated[...]` saying how the input rule treats a string field."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"TextRule({self.name!r})"


MULTILINE = TextRule("multiline")
RAW = TextRule("raw")

LongText = Annotated[str, MULTILINE]
Secret = Annotated[str, RAW]
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="编号（正整数）")]


def _allows_none(annotation: Any) -> bool:
    return annotation is None or type(None) in typing.get_args(annotation)


def _rules(annotation: Any) -> set[str]:
    """The TextRule names in an annotation, looking through Annotated, unions and lists."""
    found: set[str] = set()
    for item in typing.get_args(annotation):
        if isinstance(item, TextRule):
            found.add(item.name)
        else:
            found |= _rules(item)
    return found


@functools.cache
def _nullable(schema: type[InputSchema]) -> frozenset[str]:
    return schema.nullable_fields()


@functools.cache
def _field_rules(schema: type[InputSchema], name: str) -> frozenset[str]:
    field = schema.model_fields.get(name)
    if field is None:
        return frozenset()
    return frozenset(_rules(field.annotation) | {m.name for m in field.metadata if isinstance(m, TextRule)})


class InputSchema(Schema):
    """The base of every request schema (see the module docstring)."""

    @classmethod
    def nullable_fields(cls) -> frozenset[str]:
        """Fields that take an explicit null: here every field whose type allows None."""
        return frozenset(name for name, field in cls.model_fields.items() if _allows_none(field.annotation))

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja's own (wrap) validator has wrapped the input for attribute access by now.
        if not isinstance(data._obj if isinstance(data, DjangoGetter) else data, dict):
            raise ValueError(NOT_AN_OBJECT)
        return data

    @field_validator("*", mode="before")
    @classmethod
    def _input_rule(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in _nullable(cls):
            raise ValueError(BLANK)
        rules = _field_rules(cls, info.field_name or "")
        if RAW.name in rules:
            return value
        multiline = MULTILINE.name in rules
        try:
            if isinstance(value, str):
                return clean_text(value, multiline=multiline)
            if isinstance(value, list):
                return [clean_text(v, multiline=multiline) if isinstance(v, str) else v for v in value]
        except TextRefused as exc:
            raise ValueError(exc.message) from None
        return value


Latitude = Annotated[float, Field(ge=-90, le=90, description="纬度（WGS84，-90～90）")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="经度（WGS84，-180～180）")]


class ErrorDetail(Schema):
    code: str = Field(
        description=(
            "validation_error / not_found / forbidden / unauthorized / conflict / "
            "too_large / throttled / method_not_allowed / server_error"
        )
    )
    message: str = Field(description="中文说明")
    fields: dict[str, list[str]] = Field(default_factory=dict, description="字段名 → 错误信息")


class ErrorOut(Schema):
    error: ErrorDetail


T = TypeVar("T")


class PageParams(InputSchema):
    """limit/offset pagination; every list answers its total so clients can page."""

    limit: int = Field(settings.SAFEGRID_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="每页条数")
    offset: int = Field(0, ge=0, le=MAX_ID, description="跳过的条数")


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


def _document_nulls(schema: dict[str, Any], model: type[Any]) -> None:
    """The OpenAPI document says null only where null is accepted (`nullable_fields`)."""
    nullable = model.nullable_fields()
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name in nullable or not options:
            continue
        kept = [option for option in options if option.get("type") != "null"]
        prop.pop("anyOf")
        if len(kept) == 1:
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
        prop.pop("default", None)


class PatchSchema(InputSchema):
    """A partial update: every field is optional (`X | None = None`, so it may be left out), and an
    explicit null is refused with a 422 naming the field, except for the fields in `nullable`, where
    null clears the value."""

    model_config = ConfigDict(json_schema_extra=_document_nulls)
    nullable: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def nullable_fields(cls) -> frozenset[str]:
        return cls.nullable
