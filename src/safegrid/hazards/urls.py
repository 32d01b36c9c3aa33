"""Hazard pages, mounted at /hazards/ in the `hazards` namespace."""

from django.urls import path

from . import map_layer, views, views_checklists, views_inspection, views_stats, views_supervision
from .national import views as national_views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("report/", views.hazard_report_view, name="report"),
    path("checks/", views_inspection.my_checks_view, name="my_checks"),
    path("checks/<int:pk>/", views_inspection.check_view, name="check"),
    path("stats/", views_stats.stats_view, name="stats"),
    path("map/major-hazards.json", map_layer.major_hazards_json, name="map_major"),
    path("checks/records/", views_checklists.CheckRecordListView.as_view(), name="records"),
    path("checks/records/<int:pk>/", views_checklists.record_detail, name="record"),
    path("checks/records/<int:pk>/photo/", views_checklists.record_photo, name="record_photo"),
    path("checklists/", views_checklists.ChecklistListView.as_view(), name="checklists"),
    path("checklists/new/", views_checklists.checklist_new, name="checklist_new"),
    path("checklists/<int:pk>/", views_checklists.checklist_detail, name="checklist"),
    path("checklists/<int:pk>/edit/", views_checklists.checklist_edit, name="checklist_edit"),
    path("checklists/<int:pk>/inspect/", views_checklists.inspection_plan, name="checklist_inspect"),
    path("checkpoints/", views_checklists.CheckpointListView.as_view(), name="checkpoints"),
    path("checkpoints/<int:pk>/", views_checklists.checkpoint_detail, name="checkpoint"),
    path("checkpoints/<int:pk>/issue/", views_checklists.checkpoint_issue, name="checkpoint_issue"),
    path("scan/<str:token>/", views_checklists.scan, name="scan"),
    path("metrics/", views_checklists.metrics, name="metrics"),
    path("national/", national_views.index, name="national_index"),
    path("national/<int:enterprise_id>/", national_views.page, name="national"),
    path("national/<int:enterprise_id>/export/", national_views.download, name="national_export"),
    path("national/<int:enterprise_id>/import/", national_views.upload, name="national_import"),
    path("national/files/<uuid:uuid>/", national_views.download_file, name="national_file"),
    path("overdue/", views_supervision.OverdueListView.as_view(), name="overdue"),
    path("five-musts/", views_supervision.five_musts_view, name="five_musts"),
    path("supervision/", views_supervision.SupervisionListView.as_view(), name="supervision"),
    path("supervision/<int:pk>/sign-off/", views_supervision.sign_off_view, name="sign_off"),
    path("<int:pk>/supervise/", views_supervision.supervise_view, name="supervise"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.hazard_act, name="act"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
]
