"""The kinds of notification: a string key per event, with the Chinese label the list page shows.

Apps register their kinds in their own `notifications.py` (imported at start-up by `autodiscover()`):

    from django.utils.translation import gettext_noop

    from safegrid.notifications.kinds import register_kind
    register_kind("hazards.overdue", gettext_noop("隐患整改逾期"))

The label is a msgid (`gettext_noop` marks it for makemessages); `label()` translates it when shown.

`notify()` refuses a kind nobody registered, so a typo fails in the test that sends it. The kinds below
are those of the platform issue whose senders are being wired now (filings, certificates, imports and
background jobs); the app that sends one may move its registration into its own `notifications.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class UnknownKind(LookupError):
    """`notify()` was given a kind no app registered."""


@dataclass(frozen=True)
class Kind:
    key: str
    label: str


_KINDS: dict[str, Kind] = {}


def register_kind(key: str, label: str) -> Kind:
    """Register `key` ("app.event") with its label; registering the same key again replaces the label."""
    if not KEY.match(key):
        raise ValueError(f"notification kind {key!r} must look like 'app.event' (lower case)")
    kind = Kind(key, label)
    _KINDS[key] = kind
    return kind


def get_kind(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise UnknownKind(f"notification kind {key!r} is not registered (register_kind in the app)") from None


def label(key: str) -> str:
    """The kind's label in the active language, or the key itself for a kind no longer registered."""
    kind = _KINDS.get(key)
    return gettext(kind.label) if kind else key


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)


def autodiscover() -> None:
    """Import every installed app's `notifications` module so its register_kind() calls run."""
    from importlib import import_module

    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if config.name != __package__ and module_has_submodule(config.module, "notifications"):
            import_module(f"{config.name}.notifications")


# The platform's kinds (see the module docstring).
FILING_RETURNED = register_kind("risks.filing_returned", gettext_noop("一企一册被退回"))
FILING_ACCEPTED = register_kind("risks.filing_accepted", gettext_noop("一企一册已接收"))
CERTIFICATE_EXPIRING_30 = register_kind(
    "enterprises.certificate_expiring_30", gettext_noop("证书 30 天内到期")
)
CERTIFICATE_EXPIRING_7 = register_kind("enterprises.certificate_expiring_7", gettext_noop("证书 7 天内到期"))
CERTIFICATE_EXPIRES_TODAY = register_kind(
    "enterprises.certificate_expires_today", gettext_noop("证书今日到期")
)
IMPORT_FINISHED = register_kind("imports.finished", gettext_noop("导入完成"))
IMPORT_FAILED = register_kind("imports.failed", gettext_noop("导入失败"))
IMPORT_PREVIEW = register_kind("imports.preview", gettext_noop("导入预览待确认"))
JOB_FAILED = register_kind("jobs.failed", gettext_noop("后台任务失败"))
