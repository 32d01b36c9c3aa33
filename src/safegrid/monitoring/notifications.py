"""Notification kinds the monitoring app sends (imported at start-up by the notifications app), by area."""

from . import notifications_points  # noqa: F401 - registers the points' and limits' kinds
