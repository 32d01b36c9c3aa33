"""Hazard pages, mounted at /hazards/ in the `hazards` namespace."""

from django.urls import path

from . import map_layer, views, views_inspection, views_stats, views_supervision

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("report/", views.hazard_report_view, name="report"),
    path("checks/", views_inspection.my_checks_view, name="my_checks"),
    path("checks/<int:pk>/", views_inspection.check_view, name="check"),
    path("stats/", views_stats.stats_view, name="stats"),
    path("map/major-hazards.json", map_layer.major_hazards_json, name="map_major"),
    path("overdue/", views_supervision.OverdueListView.as_view(), name="overdue"),
    path("five-musts/", views_supervision.five_musts_view, name="five_musts"),
    path("supervision/", views_supervision.SupervisionListView.as_view(), name="supervision"),
    path("supervision/<int:pk>/sign-off/", views_supervision.sign_off_view, name="sign_off"),
    path("<int:pk>/supervise/", views_supervision.supervise_view, name="supervise"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.hazard_act, name="act"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
]
