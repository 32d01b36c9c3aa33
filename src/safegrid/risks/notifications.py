"""The risks app's notification kinds (risks.filing_returned/accepted are registered by the notifications app)."""

from django.utils.translation import gettext_noop

from safegrid.notifications.kinds import register_kind

register_kind("risks.filing_filed", "一企一册待审核")
register_kind("risks.regional_review_due", gettext_noop("区域风险复核到期"))
