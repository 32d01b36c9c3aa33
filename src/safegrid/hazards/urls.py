"""Hazard pages, mounted at /hazards/ in the `hazards` namespace."""

from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("report/", views.hazard_report_view, name="report"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.hazard_act, name="act"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
]
