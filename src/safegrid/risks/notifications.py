"""The risks app's notification kinds (risks.filing_returned/accepted are registered by the notifications app)."""

from safegrid.notifications.kinds import register_kind

register_kind("risks.filing_filed", "一企一册待审核")
