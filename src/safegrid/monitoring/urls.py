from django.urls import path

from .views import alarms

app_name = "monitoring"

urlpatterns = [
    # alarms
    path("alarms/", alarms.AlarmListView.as_view(), name="alarms"),
    path("alarms/<int:pk>/", alarms.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/<str:action>/", alarms.alarm_move, name="alarm_move"),
    path("bypasses/", alarms.bypass_list, name="bypasses"),
    path("bypasses/new/", alarms.bypass_new, name="bypass_new"),
    path("bypasses/<int:pk>/<str:action>/", alarms.bypass_move, name="bypass_move"),
]
