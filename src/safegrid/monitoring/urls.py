"""Every page URL of the monitoring app (/monitoring/…), by area."""

from django.urls import URLPattern, path

from . import urls_events, urls_index, urls_points, urls_wall
from .views import alarms

app_name = "monitoring"

urlpatterns: list[URLPattern] = [
    *urls_points.urlpatterns,
    *urls_events.urlpatterns,
    *urls_wall.urlpatterns,
    *urls_index.urlpatterns,
    # alarms
    path("alarms/", alarms.AlarmListView.as_view(), name="alarms"),
    path("alarms/<int:pk>/", alarms.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/<str:action>/", alarms.alarm_move, name="alarm_move"),
    path("bypasses/", alarms.bypass_list, name="bypasses"),
    path("bypasses/new/", alarms.bypass_new, name="bypass_new"),
    path("bypasses/<int:pk>/<str:action>/", alarms.bypass_move, name="bypass_move"),
]
