"""Anchors of the audit chain, kept outside the database.

The chain proves that no row was edited or removed *between* the genesis and the head, but whoever can
write to the database can also delete every row and the head, or cut the tail and rewrite the head: the
chain that is left is still consistent. An anchor is a copy of the head (count, last id, hash, time)
written where the database cannot reach: one JSON line appended to `SAFEGRID_AUDIT_ANCHOR_FILE` (and,
when configured, mailed). `check()` then fails on a chain shorter than the latest anchor or one whose
row at the anchored position is not the anchored row (a different chain).

Each line also holds the SHA-256 of the line before it (`prev`), so an edited or deleted line inside the
file is found as well. A new anchor is written only when the chain since the previous one is intact
and extends it, so an anchor never blesses a rewritten chain; after a restore from backup (a shorter
chain, rightly refused), `write(reset="why")` starts again from the current head, and says so in the file.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import audit
from .models import AuditEntry, AuditHead

logger = logging.getLogger(__name__)

FIRST_PREV = "0" * 64  # `prev` of the file's first line


@dataclass(frozen=True)
class Anchor:
    count: int  # seq of the last linked row (the chain's length)
    last_id: int
    hash: str
    at: str  # ISO time, county time zone
    prev: str = FIRST_PREV  # SHA-256 of the previous line of the file
    reset: str = ""  # why the chain was re-anchored without extending the previous anchor

    def line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


class AnchorError(Exception):
    """The anchor file was altered, or a new anchor would not extend the previous one."""


@dataclass(frozen=True)
class Checked:
    ok: bool
    anchor: Anchor | None  # the latest anchor (None: nothing anchored yet)
    problem: str = ""


def path() -> Path:
    return Path(settings.SAFEGRID_AUDIT_ANCHOR_FILE)


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


def _parse(lines: list[str], where: Path) -> list[Anchor]:
    anchors: list[Anchor] = []
    prev = FIRST_PREV
    for number, line in enumerate(lines, 1):
        try:
            anchor = Anchor(**json.loads(line))
        except (ValueError, TypeError) as exc:
            raise AnchorError(f"锚点文件第 {number} 行无法读取 ({where} line {number} unreadable: {exc})")
        if anchor.prev != prev:
            raise AnchorError(
                f"锚点文件第 {number} 行之前的内容被改动或删除 ({where} altered before line {number})"
            )
        anchors.append(anchor)
        prev = _line_hash(line)
    return anchors


def _lines(handle: IO[str]) -> list[str]:
    handle.seek(0)
    return [line.rstrip("\n") for line in handle if line.strip()]


def read(where: Path | None = None) -> list[Anchor]:
    """Every anchor in the file, oldest first ([] when there is no file); AnchorError when it was altered."""
    where = where or path()
    if not where.exists():
        return []
    with where.open(encoding="utf-8") as handle:
        return _parse(_lines(handle), where)


@contextmanager
def _locked(where: Path) -> Iterator[IO[str]]:
    """The anchor file opened for appending, under an exclusive lock (two writers never share a `prev`)."""
    where.parent.mkdir(parents=True, exist_ok=True)
    with where.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _extends(previous: Anchor | None, head: AuditHead) -> str:
    """Why the chain up to `head` does not extend `previous` (its rows since then altered, removed or
    replaced), or ""."""
    after_seq, after_hash = 0, audit.GENESIS
    if previous is not None and previous.count:
        anchored = AuditEntry.objects.filter(seq=previous.count).values_list("id", "hash").first()
        if anchored != (previous.last_id, previous.hash):
            return _differs(previous, head.count)
        after_seq, after_hash = previous.count, previous.hash
    walked = audit.walk(after_seq=after_seq, after_hash=after_hash, upto_seq=head.count)
    if walked.problem:
        return f"#{walked.bad_id}: {walked.problem}"
    if (walked.last_seq, walked.last_hash) != (head.count, head.last_hash):
        return "链头与链不一致 (the head does not match the chain)"
    return ""


def _differs(anchor: Anchor, count: int) -> str:
    if count < anchor.count:
        return (
            f"审计链比 {anchor.at} 的锚点短：现有 {count} 条，锚点记录 {anchor.count} 条 "
            f"(chain shorter than the anchor of {anchor.at}: {count} rows, anchored {anchor.count})"
        )
    return (
        f"第 {anchor.count} 条记录与 {anchor.at} 的锚点不符：审计链被替换 "
        f"(row {anchor.count} is not the one anchored at {anchor.at}: the chain was replaced)"
    )


def write(*, reset: str = "") -> Anchor:
    """Link pending entries, check that the chain extends the latest anchor, append the head as a new one.

    AnchorError (nothing written) when the file was altered or the chain does not extend the previous
    anchor; `reset` (the reason, e.g. "restored from the backup of 1 May") anchors the current head anyway.
    """
    audit.link_pending()
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
    where = path()
    with _locked(where) as handle:
        lines = _lines(handle)
        anchors = _parse(lines, where)
        previous = anchors[-1] if anchors else None
        if not reset:
            problem = _extends(previous, head)
            if problem:
                raise AnchorError(problem)
        anchor = Anchor(
            count=head.count,
            last_id=head.last_id,
            hash=head.last_hash,
            at=timezone.localtime().isoformat(timespec="seconds"),
            prev=_line_hash(lines[-1]) if lines else FIRST_PREV,
            reset=reset,
        )
        handle.seek(0, os.SEEK_END)
        handle.write(anchor.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    _mail(anchor)
    return anchor


def _mail(anchor: Anchor) -> None:
    recipients = settings.SAFEGRID_AUDIT_ANCHOR_EMAILS
    if not (recipients and settings.SAFEGRID_EMAIL_ENABLED):
        return
    try:
        send_mail(
            f"SafeGrid 审计链锚点 / audit anchor {anchor.at}: {anchor.count}",
            "请保存本邮件：核对审计日志时与之比对。/ Keep this message: the audit log is checked against it.\n\n"
            + anchor.line()
            + "\n",
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    except Exception:  # noqa: BLE001 - the anchor is in the file; a mail failure is only logged
        logger.exception("audit anchor %s could not be mailed", anchor.at)


def check(chain_length: int) -> Checked:
    """Compare a chain that `audit.verify()` found intact (`chain_length` rows) with the latest anchor."""
    try:
        anchors = read()
    except AnchorError as exc:
        return Checked(False, None, str(exc))
    if not anchors:
        return Checked(True, None)
    latest = anchors[-1]
    if chain_length < latest.count:
        return Checked(False, latest, _differs(latest, chain_length))
    if (
        latest.count
        and not AuditEntry.objects.filter(seq=latest.count, id=latest.last_id, hash=latest.hash).exists()
    ):
        return Checked(False, latest, _differs(latest, chain_length))
    return Checked(True, latest)
