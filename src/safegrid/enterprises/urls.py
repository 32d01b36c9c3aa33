from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("new/", views.EnterpriseCreateView.as_view(), name="enterprise_create"),
    path("<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("<int:pk>/contacts/", views.EnterpriseContactsView.as_view(), name="enterprise_contacts"),
    path("<int:pk>/delete/", views.EnterpriseDeleteView.as_view(), name="enterprise_delete"),
    path("<int:pk>/units/<int:parent>/new/", views.OrgUnitCreateView.as_view(), name="org_unit_create"),
    path("units/<int:pk>/edit/", views.OrgUnitEditView.as_view(), name="org_unit_edit"),
    path("units/<int:pk>/delete/", views.OrgUnitDeleteView.as_view(), name="org_unit_delete"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("<int:pk>/people/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
    path("people/<int:pk>/delete/", views.PersonDeleteView.as_view(), name="person_delete"),
    path("certificates/", views.CertificateListView.as_view(), name="certificate_list"),
    path("certificates/attention/", views.CertificateAttentionView.as_view(), name="certificate_attention"),
    path("<int:pk>/certificates/new/", views.CertificateCreateView.as_view(), name="certificate_create"),
    path("certificates/<int:pk>/edit/", views.CertificateEditView.as_view(), name="certificate_edit"),
    path("certificates/<int:pk>/delete/", views.CertificateDeleteView.as_view(), name="certificate_delete"),
]
