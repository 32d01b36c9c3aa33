"""The demo county a year into the programme: books in every state through the real signing flow, register
edits spread over the year, post workers' card receipts (`demo.filings`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from safegrid.core import audit
from safegrid.core.choices import AuditAction, Role
from safegrid.core.models import AuditEntry, RoleAssignment, User
from safegrid.demo import builders, filings
from safegrid.jobs.models import Job
from safegrid.notifications.models import Notification
from safegrid.risks.choices import FilingStatus
from safegrid.risks.models import CardConfirmation, FilingTransition, RegisterRevision, RiskRegisterFiling
from safegrid.risks.selectors import cards as card_selectors
from safegrid.risks.workflows import reviewing_officers

from .conftest import small_until

pytestmark = pytest.mark.django_db

small = small_until("filings")

EVERY_STATE = ("accepted", "outdated", "filed", "returned", "to_sign", "sent_back", "never")


def _holds(user: User, role: str, enterprise_id: int) -> bool:
    return RoleAssignment.objects.filter(user=user, role=role, enterprise_id=enterprise_id).exists()


def test_story_quota_keeps_the_mix_and_every_story() -> None:
    for count in (7, 20, 48, 96):
        quota = Counter(filings.story_quota(count))
        assert sum(quota.values()) == count
        assert set(quota) == set(filings.STORY_WEIGHTS) - {"never"}
    big = Counter(filings.story_quota(96))
    assert big["accepted"] > big["filed"] > big["sent_back"]


def test_books_in_every_state_through_the_real_signing_flow(small: builders.DemoSummary) -> None:
    states = filings.filing_states()
    for state in EVERY_STATE:
        assert states[state] >= 1, (state, states)
    assert {k: small.counts[f"filings_{k}"] for k in EVERY_STATE if k != "never"} == {
        k: states[k] for k in EVERY_STATE if k != "never"
    }
    books = list(RiskRegisterFiling.objects.select_related("compiled_by", "signed_by", "reviewed_by"))
    for book in books:
        # The enterprise's own safety manager compiled it; its legal representative signed it with their
        # own login (no delegation), so the record names the signer.
        assert book.compiled_by is not None and _holds(
            book.compiled_by, Role.SAFETY_MANAGER, book.enterprise_id
        )
        if book.status in (FilingStatus.COMPILED, FilingStatus.TO_SIGN, FilingStatus.SENT_BACK):
            assert book.signed_by is None
            continue
        assert book.signed_by is not None and _holds(book.signed_by, Role.LEGAL_REP, book.enterprise_id)
        assert book.signed_delegation is None and book.signer_name == book.signed_by.display_name
        if book.status in (FilingStatus.ACCEPTED, FilingStatus.RETURNED):
            assert book.reviewed_by in reviewing_officers(book)  # the sector's configured reviewer
    for book in RiskRegisterFiling.objects.filter(status=FilingStatus.RETURNED):
        assert book.review_comment
    for book in RiskRegisterFiling.objects.filter(status=FilingStatus.SENT_BACK):
        back = book.transitions.get(action="send_back")
        assert book.sent_back_comment and back.actor is not None
        assert _holds(back.actor, Role.LEGAL_REP, book.enterprise_id)
    # Each step is logged, audited and heard about as in real use.
    moves = FilingTransition.objects.count()
    assert moves >= 4 * states["accepted"]
    assert AuditEntry.objects.filter(object_type="risks.riskregisterfiling").count() >= moves
    assert Notification.objects.filter(
        kind="risks.filing_to_sign", recipient__username__startswith="lr_"
    ).exists()
    assert Notification.objects.filter(kind="risks.filing_accepted").exists()
    assert Job.objects.filter(kind=filings.filing_services.BOOK_JOB).exists()  # the books are rendered
    # A returned book answered by a corrected, accepted version 2.
    again = RiskRegisterFiling.objects.filter(version=2, status=FilingStatus.ACCEPTED).first()
    assert again is not None
    assert again.enterprise.register_filings.get(version=1).status == FilingStatus.RETURNED
    assert audit.verify().ok


def test_the_history_is_spread_over_the_past_year(small: builders.DemoSummary) -> None:
    now = timezone.now()
    compiled = sorted(RiskRegisterFiling.objects.values_list("compiled_at", flat=True))
    assert compiled[0] >= now - dt.timedelta(days=366) and compiled[-1] <= now
    assert compiled[-1] - compiled[0] >= dt.timedelta(days=60)
    for book in RiskRegisterFiling.objects.exclude(reviewed_at=None):
        assert book.compiled_at <= book.signed_at <= book.reviewed_at <= now
    # Register edits through the points service, audited by the safety manager on their own day.
    edits = list(AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="risks.controlmeasure"))
    assert edits and small.counts["filings_edits"] == len(edits)
    assert all(e.actor is not None and e.actor.username.startswith("sm_") for e in edits)
    assert max(e.at for e in edits) - min(e.at for e in edits) >= dt.timedelta(days=14)
    # An outdated book: accepted, and the register moved on after it.
    revisions = dict(RegisterRevision.objects.values_list("enterprise_id", "revision"))
    outdated = [
        b
        for b in RiskRegisterFiling.objects.filter(status=FilingStatus.ACCEPTED)
        if revisions[b.enterprise_id] > b.register_revision
    ]
    assert outdated and len(outdated) == small.counts["filings_outdated"]


def test_post_workers_confirmed_some_of_their_cards(small: builders.DemoSummary) -> None:
    workers = list(User.objects.filter(username__startswith="pw_"))
    assert workers and all(filings.is_story_username(w.username) for w in workers)
    receipts = CardConfirmation.objects.filter(user__in=workers)
    assert receipts.count() == small.counts["filings_confirmations"] > 0
    assert all(r.person is not None and r.person.user_id == r.user_id for r in receipts)
    states = Counter(row.state for w in workers for row in card_selectors.my_cards(w))
    assert states["done"] and states["todo"]  # some read, some still to read
    # The fixed logins keep their cards unread, for a new user to confirm.
    assert not CardConfirmation.objects.filter(user__username__in=["post_a", "post_a2"]).exists()


def test_fixed_logins_keep_their_books_to_try(small: builders.DemoSummary) -> None:
    for username in ("ent_a", "ent_b"):
        enterprise = RoleAssignment.objects.get(user__username=username).enterprise
        assert not RiskRegisterFiling.objects.filter(enterprise=enterprise).exists()


def test_reset_removes_the_story_accounts_and_their_jobs(small: builders.DemoSummary) -> None:
    assert User.objects.filter(username__regex=filings.USERNAME_PATTERN).exists()
    assert builders.conflicting_usernames()
    builders.reset()
    assert not User.objects.filter(username__regex=filings.USERNAME_PATTERN).exists()
    assert not Job.objects.exists() and not RiskRegisterFiling.objects.exists()
    assert builders.conflicting_usernames() == []
