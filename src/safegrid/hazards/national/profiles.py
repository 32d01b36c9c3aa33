"""The deployment's upload targets: the shipped profiles plus `SAFEGRID_NATIONAL_PROFILES` (settings)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from ..rules.national import Profile, profiles_from


def profiles() -> dict[str, Profile]:
    return profiles_from(getattr(settings, "SAFEGRID_NATIONAL_PROFILES", None))


def profile_get(key: str) -> Profile:
    """The target named in the URL, or 404."""
    found = profiles().get(key)
    if found is None:
        raise Http404(key)
    return found
