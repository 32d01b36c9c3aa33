"""Excel import and export of the risk register (mounted at /risks/excel/ in the `risks` namespace)."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.excel_import, name="excel_import"),
    path("template.xlsx", views_import.excel_template, name="excel_template"),
    path("export.xlsx", views_import.excel_export, name="excel_export"),
]
