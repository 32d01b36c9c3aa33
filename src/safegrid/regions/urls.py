from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("divisions/", views.DivisionListView.as_view(), name="division_list"),
    path("divisions/<str:code>/", views.division_detail, name="division_detail"),
    path("grids/", views.GridListView.as_view(), name="grid_list"),
    path("grids/new/", views.GridCreateView.as_view(), name="grid_create"),
    path("grids/<int:pk>/", views.grid_detail, name="grid_detail"),
    path("grids/<int:pk>/edit/", views.GridEditView.as_view(), name="grid_edit"),
    path("grids/<int:pk>/delete/", views.GridDeleteView.as_view(), name="grid_delete"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
]
