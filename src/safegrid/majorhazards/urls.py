"""Every page URL of the major-hazard-sources app (/majorhazards/…), by area."""

from django.urls import URLPattern

app_name = "majorhazards"

urlpatterns: list[URLPattern] = [
    # sources: units, substances, grading, filing lifecycle, 包保 persons
    # work: special-work filings, daily commitments, the regulator's lists and map layer
]
