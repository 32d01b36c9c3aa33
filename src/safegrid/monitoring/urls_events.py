"""Page URLs of event sources: video channels and personnel-positioning zones (mounted by monitoring/urls.py)."""

from django.urls import URLPattern, path

from .views import events

urlpatterns: list[URLPattern] = [
    path("event-sources/", events.EventSourceListView.as_view(), name="event_sources"),
    path("event-sources/new/", events.source_new, name="event_source_new"),
    path("event-sources/<int:pk>/", events.source_detail, name="event_source"),
    path("event-sources/<int:pk>/edit/", events.source_edit, name="event_source_edit"),
]
