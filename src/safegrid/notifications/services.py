"""Sending and reading notifications.

`notify()` is the one function every service calls to tell people something happened. It writes the
rows inside the caller's transaction (so a rolled-back step notifies nobody) and mails them once that
transaction commits, when e-mail is configured (SAFEGRID_EMAIL_HOST / SAFEGRID_EMAIL_ENABLED).

Notifications are not audited: the event they report is (the filing's transition, the import), and
marking a message read is the reader's own page state, not a change to the county's data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core.models import User

from . import kinds
from .models import Notification

logger = logging.getLogger(__name__)

TEXT_MAX = Notification._meta.get_field("text").max_length or 500


def notify(
    recipients: Iterable[User], kind: str, obj: models.Model | None, text: str, *, url: str = ""
) -> list[Notification]:
    """Tell each active recipient (once, however often listed) that `text`; returns the rows created.

    `kind` must be registered (kinds.register_kind); `obj` is what the message is about and `url` the
    page that opens it (a path such as "/risks/filings/42/").
    """
    kinds.get_kind(kind)
    text = " ".join((text or "").split())
    if not text:
        raise ValueError("a notification needs a text")
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    seen: set[int] = set()
    people: list[User] = []
    for user in recipients:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        people.append(user)
    if not people:
        return []
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            text=text,
            url=url,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            created_at=now,
        )
        for user in people
    )
    if settings.SAFEGRID_EMAIL_ENABLED:
        mailed = [(row, user.email) for row, user in zip(rows, people, strict=True) if user.email]
        if mailed:
            transaction.on_commit(partial(_send_mail, mailed))
    return rows


def _absolute(url: str) -> str:
    if url.startswith("/") and settings.SAFEGRID_PUBLIC_URL:
        return settings.SAFEGRID_PUBLIC_URL + url
    return url


def _send_mail(mailed: list[tuple[Notification, str]]) -> None:
    """Send one message per row after commit; a mail failure is logged and never undoes the event."""
    messages = []
    for row, address in mailed:
        body = row.text
        link = _absolute(row.url)
        if link:
            body += "\n\n" + gettext("查看详情：%(link)s") % {"link": link}
        body += "\n\n" + gettext("—— 安全生产双重预防信息平台（本邮件由系统自动发送，请勿回复）")
        subject = gettext("【双重预防平台】%(kind)s") % {"kind": kinds.label(row.kind)}
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
    try:
        sent = get_connection().send_messages(messages)
    except Exception:  # SMTP and socket errors: the notification is in the page either way
        logger.exception("notification e-mail failed for %d message(s)", len(messages))
        return
    if sent:
        Notification.objects.filter(pk__in=[row.pk for row, _ in mailed]).update(emailed_at=timezone.now())


def notification_open(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (the selector has already checked it is theirs)."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(gettext("只能标记自己的消息"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_all_read(*, actor: User) -> int:
    """Mark all the actor's unread notifications read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
