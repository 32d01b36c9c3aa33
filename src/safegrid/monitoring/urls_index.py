"""Page URLs of alarm quality and the dynamic risk index (mounted by monitoring/urls.py)."""

from django.urls import URLPattern, path

from .views import quality, risk_index

urlpatterns: list[URLPattern] = [
    path("quality/", quality.quality_page, name="quality"),
    path("risk-index/", risk_index.RiskIndexListView.as_view(), name="risk_index"),
    path("risk-index/map.json", risk_index.risk_index_layer, name="risk_index_layer"),
    path("risk-index/<int:pk>/", risk_index.risk_index_detail, name="risk_index_detail"),
]
