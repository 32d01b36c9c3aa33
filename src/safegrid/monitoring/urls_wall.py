"""Page URLs of the live monitoring wall and the points' trends (mounted by monitoring/urls.py)."""

from django.urls import URLPattern, path

from .views import wall

urlpatterns: list[URLPattern] = [
    path("wall/", wall.wall, name="wall"),
    path("wall/live/", wall.wall_live, name="wall_live"),
    path("wall/enterprises/<int:enterprise_id>/", wall.wall_enterprise, name="wall_enterprise"),
    path(
        "wall/enterprises/<int:enterprise_id>/live/", wall.wall_enterprise_live, name="wall_enterprise_live"
    ),
    path("points/<int:pk>/trend/", wall.point_trend, name="point_trend"),
    path("points/<int:pk>/trend/data/", wall.point_trend_data, name="point_trend_data"),
]
