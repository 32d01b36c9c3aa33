"""Page URLs of monitoring points, their limit changes and deactivations, and the points' Excel (mounted by monitoring/urls.py)."""

from django.urls import URLPattern, path

from .views import deactivations, importing, limits, points

urlpatterns: list[URLPattern] = [
    path("points/", points.PointListView.as_view(), name="points"),
    path("points/new/", points.point_new, name="point_new"),
    path("points/import/", importing.import_start, name="import_start"),
    path("points/import/template.xlsx", importing.import_template, name="import_template"),
    path("points/import/<int:pk>/", importing.import_detail, name="import_detail"),
    path("points/export.xlsx", importing.points_export, name="points_export"),
    path("points/<int:pk>/", points.point_detail, name="point"),
    path("points/<int:pk>/edit/", points.point_edit, name="point_edit"),
    path("points/<int:pk>/active/", points.point_active, name="point_active"),
    path("points/<int:pk>/limits/new/", limits.change_new, name="limit_change_new"),
    path("points/<int:pk>/deactivate/", deactivations.deactivation_new, name="deactivation_new"),
    path("deactivations/", deactivations.DeactivationListView.as_view(), name="deactivations"),
    path("deactivations/<int:pk>/", deactivations.deactivation_detail, name="deactivation"),
    path("deactivations/<int:pk>/<slug:action>/", deactivations.deactivation_act, name="deactivation_act"),
    path("limit-changes/", limits.LimitChangeListView.as_view(), name="limit_changes"),
    path("limit-changes/<int:pk>/", limits.change_detail, name="limit_change"),
    path("limit-changes/<int:pk>/<slug:action>/", limits.change_act, name="limit_change_act"),
]
