"""Every page URL of the monitoring app (/monitoring/…), by area."""

from django.urls import URLPattern

from . import urls_points

app_name = "monitoring"

urlpatterns: list[URLPattern] = [*urls_points.urlpatterns]
