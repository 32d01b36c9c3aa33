"""The real URLconf plus one view that fails, to render the 500 page (tests only)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from safegrid.urls import handler500
from safegrid.urls import urlpatterns as real


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the test asked for a failure")


urlpatterns = [path("boom/", boom), *real]
__all__ = ["handler500", "urlpatterns"]
