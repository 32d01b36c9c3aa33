"""Background jobs of the enterprises app (registered with safegrid.jobs; autodiscovered)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from safegrid.jobs import JobContext, job

from . import import_jobs, reminders
from .models import Certificate
from .rules import REMINDER_DAYS


@job("enterprises.certificate_expiry_scan")
def certificate_expiry_scan(ctx: JobContext, *, today: str = "") -> dict[str, Any]:
    """Remind each enterprise's admins and safety managers of certificates expiring in 30 / 7 / 0 days
    (once per certificate and threshold), and count expired and expiring certificates county-wide.

    `today` (ISO date) pins the day for a re-run; by default the county's current date.
    """
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    warning = settings.SAFEGRID_EXPIRY_WARNING_DAYS
    steps = 3
    ctx.progress(0, steps, "正在发送到期提醒…")
    sent = reminders.certificate_reminders_send(day=day)
    ctx.progress(1, steps, "正在统计证照有效期…")
    dated = Certificate.objects.filter(expires_on__isnull=False)
    windows = {
        f"within_{days}_days": Count(
            "pk", filter=Q(expires_on__gte=day, expires_on__lte=day + dt.timedelta(days))
        )
        for days in sorted({*REMINDER_DAYS, warning})
    }
    counts = dated.aggregate(expired=Count("pk", filter=Q(expires_on__lt=day)), **windows)
    ctx.progress(2, steps, "正在统计涉及的企业…")
    attention = dated.filter(expires_on__lte=day + dt.timedelta(days=warning))
    enterprises = attention.values("enterprise_id").distinct().count()
    ctx.progress(3, steps, "统计完成")
    expiring = counts[f"within_{warning}_days"]
    return {
        "date": day.isoformat(),
        **counts,
        "enterprises": enterprises,
        "reminders_sent": {str(days): n for days, n in sent.items()},
        "summary": f"{day:%Y-%m-%d}：已过期证照 {counts['expired']} 个，{warning} 天内到期 {expiring} 个，"
        f"涉及企业 {enterprises} 家；发出到期提醒 {sum(sent.values())} 条",
    }


@job("enterprises.import")
def import_upload(ctx: JobContext, *, upload_id: int) -> dict[str, Any]:
    """Import one uploaded enterprises/people workbook (see `import_jobs.process_upload`)."""
    return import_jobs.process_upload(ctx, upload_id)
