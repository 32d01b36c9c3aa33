"""Cards for the front line (mounted at /risks/cards/ in the `risks` namespace)."""

from django.urls import path

from . import views_cards as views

urlpatterns = [
    path("qr/<str:token>/", views.card_by_qr, name="card_by_qr"),
    path("qr/<str:token>/confirm/", views.card_confirm, name="card_confirm"),
    path("point/<int:pk>/", views.card_detail, name="card_detail"),
    path("point/<int:pk>/qr.png", views.card_qr_png, name="card_qr_png"),
    path("point/<int:pk>/confirmations/", views.card_confirmations, name="card_confirmations"),
    path("point/<int:pk>/<str:kind>/edit/", views.CardEditView.as_view(), name="card_edit"),
    path("point/<int:pk>/<str:kind>/publish/", views.card_publish, name="card_publish"),
    path("point/<int:pk>/<str:kind>.pdf", views.card_pdf, name="card_pdf"),
    path("enterprise/<int:enterprise>/", views.card_index, name="card_index"),
    path("enterprise/<int:enterprise>/<str:kind>-cards.pdf", views.card_booklet_pdf, name="card_booklet_pdf"),
    path("enterprise/<int:enterprise>/notice/", views.notice_board, name="notice_board"),
    path("enterprise/<int:enterprise>/notice.pdf", views.notice_board_pdf, name="notice_board_pdf"),
]
