"""`SafeGridAPI`: a NinjaAPI with what every SafeGrid API shares installed once.

The one error shape (`errors.install`) and `Idempotency-Key` on every unsafe request
(`idempotency.install`), both documented in the OpenAPI document (`errors.document` lists the error
answers every operation can give). The assembled /api/v1/ (`safegrid.apiroot`)
and a throwaway API in a router's own tests are both built from it.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from . import errors, idempotency


class SafeGridAPI(NinjaAPI):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        errors.install(self)
        idempotency.install(self)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return errors.document(idempotency.document(super().get_openapi_schema(*args, **kwargs)))
