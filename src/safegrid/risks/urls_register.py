"""The risk register pages (mounted at /risks/ in the `risks` namespace)."""

from django.urls import path

from . import views_register as views

urlpatterns = [
    path("points/", views.PointListView.as_view(), name="point_list"),
    path("enterprises/<int:enterprise>/points/new/", views.PointCreateView.as_view(), name="point_create"),
    path("points/<int:pk>/", views.point_detail, name="point_detail"),
    path("points/<int:pk>/edit/", views.PointEditView.as_view(), name="point_edit"),
    path("points/<int:pk>/deactivate/", views.point_set_active, {"active": False}, name="point_deactivate"),
    path("points/<int:pk>/reactivate/", views.point_set_active, {"active": True}, name="point_reactivate"),
    path("points/<int:pk>/factors/new/", views.FactorCreateView.as_view(), name="factor_create"),
    path("factors/<int:pk>/edit/", views.FactorEditView.as_view(), name="factor_edit"),
    path("factors/<int:pk>/delete/", views.FactorDeleteView.as_view(), name="factor_delete"),
    path("factors/<int:pk>/assess/", views.AssessView.as_view(), name="assess"),
    path("factors/<int:pk>/assess/preview/", views.assess_preview, name="assess_preview"),
    path("points/<int:pk>/measures/new/", views.MeasureCreateView.as_view(), name="measure_create"),
    path("measures/<int:pk>/edit/", views.MeasureEditView.as_view(), name="measure_edit"),
    path("measures/<int:pk>/delete/", views.MeasureDeleteView.as_view(), name="measure_delete"),
    path("points/<int:pk>/tiers/<str:tier>/", views.TierAssignView.as_view(), name="tier_assign"),
    path("tiers/<int:pk>/delete/", views.TierUnassignView.as_view(), name="tier_unassign"),
]
