"""一企一册 pages, mounted at /risks/filings/ in the `risks` namespace."""

from django.urls import path

from . import views_filing as views

urlpatterns = [
    path("", views.FilingStatusListView.as_view(), name="filing_status"),
    path("mine/", views.filing_mine, name="filing_mine"),
    path("enterprise/<int:enterprise_pk>/compile/", views.filing_compile_view, name="filing_compile"),
    path("<int:pk>/", views.filing_detail, name="filing_detail"),
    path("<int:pk>/pdf/", views.filing_pdf, name="filing_pdf"),
    path("<int:pk>/sign/", views.filing_sign_view, name="filing_sign"),
    path("<int:pk>/file/", views.filing_file_view, name="filing_file"),
    path("<int:pk>/accept/", views.filing_accept_view, name="filing_accept"),
    path("<int:pk>/return/", views.filing_return_view, name="filing_return"),
]
