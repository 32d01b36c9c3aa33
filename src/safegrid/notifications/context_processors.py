from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """The top bar's bell: the unread count (one COUNT, run only when a page shows it) and the list's URL."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notification_badge": {
            "url": reverse("notifications:list"),
            "unread": SimpleLazyObject(lambda: unread_count(user)),
        }
    }
