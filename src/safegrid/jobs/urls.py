from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<uuid:uuid>/", views.job_detail, name="detail"),
    path("<uuid:uuid>/status.json", views.job_status, name="status"),
    path("<uuid:uuid>/retry/", views.job_retry, name="retry"),
]
