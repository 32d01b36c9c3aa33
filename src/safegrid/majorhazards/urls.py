"""Every page URL of the major-hazard-sources app (/majorhazards/…), by area."""

from django.urls import URLPattern, path

from .views import lifecycle, responsibility, sources, work

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
    # lifecycle (mhlife): filing, triggers, drills, tests, deregistration; the review queue and the due list
    path("units/<int:pk>/lifecycle/", lifecycle.unit_lifecycle, name="unit_lifecycle"),
    path("units/<int:pk>/lifecycle/filings/new/", lifecycle.filing_new, name="filing_new"),
    path("units/<int:pk>/lifecycle/triggers/new/", lifecycle.trigger_new, name="trigger_new"),
    path("units/<int:pk>/lifecycle/drills/new/", lifecycle.drill_new, name="drill_new"),
    path("units/<int:pk>/lifecycle/tests/new/", lifecycle.test_new, name="test_new"),
    path(
        "units/<int:pk>/lifecycle/deregistration/new/",
        lifecycle.deregistration_new,
        name="deregistration_new",
    ),
    path("lifecycle/filings/<int:pk>/edit/", lifecycle.filing_edit, name="filing_edit"),
    path("lifecycle/filings/<int:pk>/report/", lifecycle.filing_report, name="filing_report"),
    path("lifecycle/filings/<int:pk>/<slug:action>/", lifecycle.filing_act, name="filing_act"),
    path(
        "lifecycle/deregistrations/<int:pk>/<slug:action>/",
        lifecycle.deregistration_act,
        name="deregistration_act",
    ),
    path("lifecycle/review/", lifecycle.review, name="lifecycle_review"),
    path("lifecycle/due/", lifecycle.due, name="lifecycle_due"),
    # responsible persons (mhlife): the three 包保 persons, naming them, the notice board PDF
    path("units/<int:pk>/responsibility/", responsibility.unit_responsibility, name="unit_responsibility"),
    path("units/<int:pk>/responsibility/name/", responsibility.responsible_name, name="responsible_name"),
    path("units/<int:pk>/responsibility/board.pdf", responsibility.board, name="responsible_board"),
    path("units/<int:pk>/responsibility/pre-event/", responsibility.pre_event_check, name="pre_event_check"),
    # work: special-work filings, daily commitments, the regulator's lists and map layer
    path("special-works/", work.SpecialWorkListView.as_view(), name="special_works"),
    path("special-works/new/", work.special_work_new, name="special_work_new"),
    path("special-works/today/", work.TodayHighRiskView.as_view(), name="special_works_today"),
    path("special-works/<int:pk>/", work.special_work_detail, name="special_work"),
    path("special-works/<int:pk>/analysis/", work.special_work_analysis, name="special_work_analysis"),
    path("special-works/<int:pk>/move/<str:action>/", work.special_work_move, name="special_work_move"),
    path("commitments/", work.CommitmentDayView.as_view(), name="commitments"),
    path("commitments/new/", work.commitment_new, name="commitment_new"),
    path("commitments/history/", work.CommitmentHistoryView.as_view(), name="commitment_history"),
    path("commitments/<int:pk>/", work.commitment_detail, name="commitment"),
    path("commitments/board/<int:enterprise_id>/issue/", work.board_issue, name="board_issue"),
    path("board/<str:token>/", work.board, name="board"),
    path("map/high-risk-works.json", work.high_risk_json, name="map_high_risk"),
]
