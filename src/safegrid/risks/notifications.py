"""The risks app's notification kinds (risks.filing_returned/accepted are registered by the notifications app)."""

from django.utils.translation import gettext_noop

from safegrid.notifications.kinds import register_kind

register_kind("risks.filing_filed", "一企一册待审核")
register_kind("risks.filing_to_sign", gettext_noop("一企一册待签署"))
register_kind("risks.filing_sent_back", gettext_noop("一企一册被签署人退回"))
register_kind("risks.filing_signed", gettext_noop("一企一册已签署并报送"))
register_kind("risks.regional_review_due", gettext_noop("区域风险复核到期"))
