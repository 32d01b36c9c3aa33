"""Hazard pages, mounted at /hazards/ in the `hazards` namespace."""

from django.urls import path

from . import (
    map_layer,
    views,
    views_checklists,
    views_inspection,
    views_major,
    views_selfreport,
    views_stats,
    views_supervision,
)
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
    path("self-reports/", views_selfreport.SelfReportListView.as_view(), name="self_reports"),
    path("self-reports/missing/", views_selfreport.MissingListView.as_view(), name="self_reports_missing"),
    path("self-reports/generate/", views_selfreport.self_report_generate, name="self_report_generate"),
    path("self-reports/<int:pk>/", views_selfreport.self_report_detail, name="self_report"),
    path("self-reports/<int:pk>/pdf/", views_selfreport.self_report_pdf, name="self_report_pdf"),
    path("self-reports/<int:pk>/<slug:action>/", views_selfreport.self_report_act, name="self_report_act"),
    path("<int:pk>/supervise/", views_supervision.supervise_view, name="supervise"),
    path("notice/<int:enterprise>/", views_major.notice_board, name="notice_board"),
    path("notice/<int:enterprise>/print.pdf", views_major.notice_board_pdf, name="notice_board_pdf"),
    path("suspension/<int:pk>/evaluation/", views_major.evaluation_file, name="evaluation_file"),
    path("<int:pk>/major/<slug:step>/", views_major.major_act, name="major_act"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.hazard_act, name="act"),
    path("photos/<int:pk>/", views.photo_view, name="photo"),
]
