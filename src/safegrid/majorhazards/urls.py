"""Every page URL of the major-hazard-sources app (/majorhazards/…), by area."""

from django.urls import URLPattern, path

from .views import sources

app_name = "majorhazards"

urlpatterns: list[URLPattern] = [
    # sources: units, substances, grading, filing lifecycle, 包保 persons
    path("", sources.SourceListView.as_view(), name="list"),
    path("units/", sources.my_units, name="my_units"),
    path("units/<int:pk>/", sources.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", sources.unit_edit, name="unit_edit"),
    path("units/<int:pk>/delete/", sources.unit_delete, name="unit_delete"),
    path("units/<int:pk>/substances/new/", sources.line_new, name="line_new"),
    path("substance-lines/<int:pk>/edit/", sources.line_edit, name="line_edit"),
    path("substance-lines/<int:pk>/delete/", sources.line_delete, name="line_delete"),
    path("enterprises/<int:pk>/", sources.enterprise_units, name="enterprise_units"),
    path("enterprises/<int:pk>/units/new/", sources.unit_new, name="unit_new"),
    path("enterprises/<int:pk>/population/", sources.population, name="population"),
    path("substances/", sources.SubstanceListView.as_view(), name="substances"),
    path("substances/new/", sources.substance_new, name="substance_new"),
    path("map/sources.json", sources.map_sources_json, name="map_sources"),
    # work: special-work filings, daily commitments, the regulator's lists and map layer
]
