"""Every page URL of the major-hazard-sources app (/majorhazards/…), by area."""

from django.urls import URLPattern, path

from .views import work

app_name = "majorhazards"

urlpatterns: list[URLPattern] = [
    # sources: units, substances, grading, filing lifecycle, 包保 persons
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
