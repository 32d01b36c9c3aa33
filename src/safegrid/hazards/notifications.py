"""Notification kinds the hazards app sends (imported at start-up by the notifications app)."""

from django.utils.translation import gettext_noop

from safegrid.notifications.kinds import register_kind

register_kind("hazards.reported", gettext_noop("新登记隐患待确认"))
register_kind("hazards.assigned", gettext_noop("隐患整改任务"))
register_kind("hazards.awaiting_acceptance", gettext_noop("隐患待验收"))
register_kind("hazards.sent_back", gettext_noop("隐患退回整改"))
register_kind("hazards.accepted", gettext_noop("隐患已销号"))
register_kind("hazards.extension", gettext_noop("隐患延期审批结果"))
register_kind("hazards.overdue", gettext_noop("隐患整改逾期"))
register_kind("hazards.deadline_reminder", gettext_noop("隐患整改期限将到"))
register_kind("hazards.supervision", gettext_noop("隐患挂牌督办"))
register_kind("hazards.major_report", gettext_noop("重大事故隐患报告"))
register_kind("hazards.suspension", gettext_noop("重大隐患停产停业整改"))
register_kind("hazards.self_report_submitted", gettext_noop("自查自报待查收"))
register_kind("hazards.self_report_reviewed", gettext_noop("自查自报查收结果"))
register_kind("hazards.self_report_reminder", gettext_noop("自查自报报送提醒"))
register_kind("hazards.self_report_missing", gettext_noop("自查自报逾期未报"))
