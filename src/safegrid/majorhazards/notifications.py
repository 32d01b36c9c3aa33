"""Notification kinds of the major-hazard-sources app (imported at start-up by the notifications app)."""

from django.utils.translation import gettext_noop

from safegrid.notifications.kinds import register_kind

# work
register_kind("majorhazards.commitment_missing", gettext_noop("安全承诺公告逾期未发布"))
