"""Certificate expiry reminders: tell each enterprise's managers 30, 7 and 0 days before a certificate expires.

Run daily by the `enterprises.certificate_expiry_scan` job. Each (certificate, expiry date, threshold)
is reminded once: the `CertificateReminder` row is inserted first (its unique constraint decides
between two runs at the same moment), and only the run whose insert succeeded notifies. The
reminder rows and notifications are not audited: no county data changes (see notifications).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.urls import reverse

from safegrid.core.choices import Role
from safegrid.core.models import RoleAssignment, User
from safegrid.notifications.kinds import (
    CERTIFICATE_EXPIRES_TODAY,
    CERTIFICATE_EXPIRING_7,
    CERTIFICATE_EXPIRING_30,
)
from safegrid.notifications.services import notify

from . import rules
from .models import Certificate, CertificateReminder

RECIPIENT_ROLES = (Role.ENT_ADMIN, Role.SAFETY_MANAGER)
KIND_BY_DAYS = {
    30: CERTIFICATE_EXPIRING_30.key,
    7: CERTIFICATE_EXPIRING_7.key,
    0: CERTIFICATE_EXPIRES_TODAY.key,
}


def _recipients(enterprise_ids: set[int]) -> dict[int, list[User]]:
    """The admins and safety managers of each enterprise."""
    people: dict[int, list[User]] = defaultdict(list)
    assignments = RoleAssignment.objects.filter(
        enterprise_id__in=enterprise_ids, role__in=RECIPIENT_ROLES, user__is_active=True
    ).select_related("user")
    for assignment in assignments:
        assert assignment.enterprise_id is not None
        people[assignment.enterprise_id].append(assignment.user)
    return people


def _text(certificate: Certificate, days: int) -> str:
    holder = f"（{certificate.person.name}）" if certificate.person is not None else ""
    when = "今天到期" if days == 0 else f"将于 {certificate.expires_on:%Y-%m-%d} 到期（还有 {days} 天以内）"
    return f"{certificate.enterprise.name}：{certificate}{holder}{when}，请及时办理复审或换证"


def _url(certificate: Certificate) -> str:
    if certificate.person_id is not None:
        return reverse("enterprises:person_detail", args=[certificate.person_id])
    return reverse("enterprises:enterprise_detail", args=[certificate.enterprise_id])


def certificate_reminders_send(*, day: dt.date) -> dict[int, int]:
    """Send the reminders due on `day` that were not sent before; how many per threshold."""
    widest = max(rules.REMINDER_DAYS)
    due = list(
        Certificate.objects.filter(expires_on__gte=day, expires_on__lte=day + dt.timedelta(days=widest))
        .select_related("enterprise", "person")
        .order_by("expires_on", "pk")
    )
    people = _recipients({c.enterprise_id for c in due})
    sent = dict.fromkeys(rules.REMINDER_DAYS, 0)
    for certificate in due:
        assert certificate.expires_on is not None
        days = rules.reminder_threshold((certificate.expires_on - day).days)
        if days is None:
            continue
        try:
            with transaction.atomic():
                CertificateReminder.objects.create(
                    certificate=certificate, expires_on=certificate.expires_on, days_before=days
                )
                notify(
                    people.get(certificate.enterprise_id, []),
                    KIND_BY_DAYS[days],
                    certificate,
                    _text(certificate, days),
                    url=_url(certificate),
                )
        except IntegrityError:
            continue  # already reminded (an earlier run, or another worker right now)
        sent[days] += 1
    return sent
