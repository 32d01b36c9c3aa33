from django.urls import path

from . import import_views

app_name = "enterprise_import"
urlpatterns = [
    path("", import_views.import_start, name="start"),
    path("template.xlsx", import_views.import_template, name="template"),
    path("<int:pk>/", import_views.import_detail, name="detail"),
]
