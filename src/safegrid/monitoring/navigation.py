"""Menu entries of the monitoring app (imported by core.navigation.autodiscover()), by area."""

from . import navigation_points  # noqa: F401 - registers the points' and limit changes' entries
