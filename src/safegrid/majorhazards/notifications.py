"""Notification kinds the major-hazards app sends (imported at start-up by the notifications app)."""

from django.utils.translation import gettext_noop

from safegrid.notifications.kinds import register_kind

# lifecycle and responsible persons (services.lifecycle, services.responsibility, lifecycle_workflows)
register_kind("majorhazards.filing_submitted", gettext_noop("重大危险源备案待审核"))
register_kind("majorhazards.filing_accepted", gettext_noop("重大危险源已备案"))
register_kind("majorhazards.filing_returned", gettext_noop("重大危险源备案被退回"))
register_kind("majorhazards.deregistration", gettext_noop("重大危险源核销"))
register_kind("majorhazards.reassessment_due", gettext_noop("重大危险源重新评估到期"))
register_kind("majorhazards.drill_overdue", gettext_noop("重大危险源应急演练逾期"))
register_kind("majorhazards.test_overdue", gettext_noop("重大危险源安全设施检测逾期"))
register_kind("majorhazards.responsible_named", gettext_noop("重大危险源包保责任"))
# work
register_kind("majorhazards.commitment_missing", gettext_noop("安全承诺公告逾期未发布"))
