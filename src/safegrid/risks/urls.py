"""Every risks page, mounted at /risks/ in the `risks` namespace, grouped by area."""

from django.urls import path

from .views import cards, delegation, excel, filing, filing_reviewers, points, regional
from .views import map as map_views

app_name = "risks"

points_patterns = [
    path("points/", points.PointListView.as_view(), name="point_list"),
    path("enterprises/<int:enterprise>/points/new/", points.PointCreateView.as_view(), name="point_create"),
    path("points/<int:pk>/", points.point_detail, name="point_detail"),
    path("points/<int:pk>/edit/", points.PointEditView.as_view(), name="point_edit"),
    path("points/<int:pk>/deactivate/", points.point_set_active, {"active": False}, name="point_deactivate"),
    path("points/<int:pk>/reactivate/", points.point_set_active, {"active": True}, name="point_reactivate"),
    path("points/<int:pk>/factors/new/", points.FactorCreateView.as_view(), name="factor_create"),
    path("factors/<int:pk>/edit/", points.FactorEditView.as_view(), name="factor_edit"),
    path("factors/<int:pk>/delete/", points.FactorDeleteView.as_view(), name="factor_delete"),
    path("factors/<int:pk>/assess/", points.AssessView.as_view(), name="assess"),
    path("factors/<int:pk>/assess/preview/", points.assess_preview, name="assess_preview"),
    path("points/<int:pk>/measures/new/", points.MeasureCreateView.as_view(), name="measure_create"),
    path("measures/<int:pk>/edit/", points.MeasureEditView.as_view(), name="measure_edit"),
    path("measures/<int:pk>/delete/", points.MeasureDeleteView.as_view(), name="measure_delete"),
    path("points/<int:pk>/tiers/<str:tier>/", points.TierAssignView.as_view(), name="tier_assign"),
    path("tiers/<int:pk>/delete/", points.TierUnassignView.as_view(), name="tier_unassign"),
]

filing_patterns = [
    path("filings/", filing.FilingStatusListView.as_view(), name="filing_status"),
    path("filings/mine/", filing.filing_mine, name="filing_mine"),
    path("filings/reviewers/", filing_reviewers.reviewer_settings, name="filing_reviewers"),
    path(
        "filings/enterprise/<int:enterprise_pk>/delegations/",
        delegation.delegation_page,
        name="delegation_list",
    ),
    path(
        "filings/delegations/<int:pk>/document/", delegation.delegation_document, name="delegation_document"
    ),
    path("filings/delegations/<int:pk>/revoke/", delegation.delegation_revoke_view, name="delegation_revoke"),
    path(
        "filings/enterprise/<int:enterprise_pk>/compile/", filing.filing_compile_view, name="filing_compile"
    ),
    path("filings/<int:pk>/", filing.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/pdf/", filing.filing_pdf, name="filing_pdf"),
    path("filings/<int:pk>/submit/", filing.filing_submit_view, name="filing_submit"),
    path("filings/<int:pk>/sign/", filing.filing_sign_view, name="filing_sign"),
    path("filings/<int:pk>/send-back/", filing.filing_send_back_view, name="filing_send_back"),
    path("filings/<int:pk>/file/", filing.filing_file_view, name="filing_file"),
    path("filings/<int:pk>/accept/", filing.filing_accept_view, name="filing_accept"),
    path("filings/<int:pk>/return/", filing.filing_return_view, name="filing_return"),
]

card_patterns = [
    path("cards/mine/", cards.my_cards, name="my_cards"),
    path("cards/qr/<str:token>/", cards.card_by_qr, name="card_by_qr"),
    path("cards/qr/<str:token>/confirm/", cards.card_confirm, name="card_confirm"),
    path("cards/point/<int:pk>/", cards.card_detail, name="card_detail"),
    path("cards/point/<int:pk>/qr.png", cards.card_qr_png, name="card_qr_png"),
    path("cards/point/<int:pk>/confirmations/", cards.card_confirmations, name="card_confirmations"),
    path("cards/point/<int:pk>/<str:kind>/edit/", cards.CardEditView.as_view(), name="card_edit"),
    path("cards/point/<int:pk>/<str:kind>/publish/", cards.card_publish, name="card_publish"),
    path("cards/point/<int:pk>/<str:kind>.pdf", cards.card_pdf, name="card_pdf"),
    path("cards/enterprise/<int:enterprise>/", cards.card_index, name="card_index"),
    path(
        "cards/enterprise/<int:enterprise>/<str:kind>-cards.pdf",
        cards.card_booklet_pdf,
        name="card_booklet_pdf",
    ),
    path("cards/enterprise/<int:enterprise>/notice/", cards.notice_board, name="notice_board"),
    path("cards/enterprise/<int:enterprise>/notice.pdf", cards.notice_board_pdf, name="notice_board_pdf"),
]

map_patterns = [
    path("map/", map_views.map_page, name="map"),
    path("map/divisions.json", map_views.map_divisions, name="map_divisions"),
    path("map/enterprises.json", map_views.map_enterprises, name="map_enterprises"),
    path("map/points.json", map_views.map_points, name="map_points"),
    path("map/points/<int:pk>/plan-position/", map_views.point_plan_place, name="map_point_place"),
    path("map/site-plan/<int:enterprise_id>/", map_views.SitePlanUploadView.as_view(), name="map_site_plan"),
    path("map/site-plan/<int:enterprise_id>/image", map_views.site_plan_image, name="map_site_plan_image"),
    path("map/regional/", regional.RegionalListView.as_view(), name="regional_list"),
    path("map/regional/propose/", regional.regional_propose_view, name="regional_propose"),
    path("map/regional/settings/", regional.RegionalSettingsView.as_view(), name="regional_settings"),
    path("map/regional/<int:pk>/", regional.RegionalAdjustView.as_view(), name="regional_adjust"),
]

excel_patterns = [
    path("excel/", excel.excel_import, name="excel_import"),
    path("excel/imports/<int:pk>/", excel.excel_import_detail, name="excel_import_detail"),
    path("excel/imports/<int:pk>/confirm/", excel.excel_import_confirm, name="excel_import_confirm"),
    path("excel/imports/<int:pk>/cancel/", excel.excel_import_cancel, name="excel_import_cancel"),
    path("excel/template.xlsx", excel.excel_template, name="excel_template"),
    path("excel/export.xlsx", excel.excel_export, name="excel_export"),
]

urlpatterns = points_patterns + filing_patterns + card_patterns + map_patterns + excel_patterns
