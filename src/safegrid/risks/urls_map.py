"""The four-colour risk map and regional risk (mounted at /risks/map/ in the `risks` namespace)."""

from django.urls import URLPattern, path

from . import views_map

urlpatterns: list[URLPattern] = [
    path("", views_map.map_page, name="map"),
    path("divisions.json", views_map.map_divisions, name="map_divisions"),
    path("enterprises.json", views_map.map_enterprises, name="map_enterprises"),
    path("points.json", views_map.map_points, name="map_points"),
    path("site-plan/<int:enterprise_id>/", views_map.SitePlanUploadView.as_view(), name="map_site_plan"),
    path("site-plan/<int:enterprise_id>/image", views_map.site_plan_image, name="map_site_plan_image"),
    path("regional/", views_map.RegionalListView.as_view(), name="regional_list"),
    path("regional/propose/", views_map.regional_propose_view, name="regional_propose"),
    path("regional/<int:pk>/", views_map.RegionalAdjustView.as_view(), name="regional_adjust"),
]
