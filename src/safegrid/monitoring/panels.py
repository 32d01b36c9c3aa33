"""Cards and home-page to-dos of the monitoring app (imported by core.navigation.autodiscover()), by area."""

from . import panels_points  # noqa: F401 - registers the limit changes' to-do
