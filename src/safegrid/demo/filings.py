"""A county a year into the programme: 一企一册 filings in every state, register edits, card receipts.

Everything here goes through the real services, never by writing a status: the safety manager compiles
and submits the book (`filing_compile`, `filing_submit`), the enterprise's legal representative signs it
with their own login and password (`filing_sign`, which files it) or sends it back (`filing_send_back`),
and the officer the county configured for the sector (`workflows.reviewing_officers`, the
`FilingReviewer` setting) accepts or returns it. Register edits go through `services.points`, so they
move the register revision and make an accepted book outdated; post workers confirm their cards through
`services.cards.card_confirm`. The transitions, audit entries and notifications are the real ones.

Each enterprise's story happens on its own days over the past year: `demo_clock` sets the time the
services read (`django.utils.timezone.now`) for each step, so compile, signature, review and edit dates
are spread over the year in the records, the audit log and the notifications alike.

The accounts the stories need are created here: for every enterprise with a story, its safety manager
(`sm_NNNN`, NNNN the enterprise's number in the build) and its legal representative (`lr_NNNN`); for
a few enterprises, post workers (`pw_NNNN_K`) who confirm their cards. All share the demo password.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.db import transaction
from django.utils import timezone

from safegrid.core.choices import Role
from safegrid.core.models import RoleAssignment, User
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, Person
from safegrid.risks.choices import FilingStatus
from safegrid.risks.models import (
    CardKind,
    ControlMeasure,
    RegisterRevision,
    ResponsibilityAssignment,
    RiskPoint,
    RiskRegisterFiling,
)
from safegrid.risks.rules import assessment as assessment_rules
from safegrid.risks.selectors.cards import my_points
from safegrid.risks.services import cards as card_services
from safegrid.risks.services import filing as filing_services
from safegrid.risks.services import points as point_services
from safegrid.risks.workflows import reviewing_officers

# What became of each enterprise's book (relative weights among the enterprises that keep a register).
STORY_WEIGHTS: dict[str, float] = {
    "never": 18,  # not filed yet (enterprises whose register is incomplete join them)
    "to_sign": 6,  # compiled and submitted, waiting for the legal representative
    "sent_back": 3,  # the legal representative sent it back to the safety manager
    "filed": 10,  # signed and filed, waiting for the regulator's review
    "returned": 7,  # the regulator returned it with a comment
    "accepted": 34,  # accepted and still current
    "resubmitted": 8,  # returned once, corrected, accepted as version 2
    "outdated": 14,  # accepted, then the register changed: the book is outdated
}
# Stories per run: each is a handful of service calls (and one password check), so the count is capped
# to keep `safegrid demo` quick; the rest of a larger county stays "never filed".
MAX_STORIES_PER_SCALE = 30
MAX_STORIES = 60
FIRST_TOWNS = frozenset({"370321001", "370321002"})  # builders.TOWN_A, TOWN_B
FIRST_TOWNS_SHARE = 0.6
# Enterprises whose post workers have confirmed (some of) their cards.
CONFIRMING_ENTERPRISES = 8
SM_PREFIX, LR_PREFIX, PW_PREFIX = "sm_", "lr_", "pw_"
USERNAME_PATTERN = r"^(sm|lr)_[0-9]{4,}$|^pw_[0-9]{4,}_[0-9]+$"

RETURN_COMMENTS = (
    "重大风险点未落实公司级管控责任人，请补充管控层级后重新报送",
    "部分管控措施的排查周期与作业实际不符（储罐区应至少每班巡检），请核实修改",
    "作业活动类风险点的作业步骤不完整，请按工作危害分析（JHA）补全后重新报送",
    "风险点名称与现场不一致，请按现场实际核对后重新编制",
    "应急处置措施过于笼统，请结合岗位实际细化",
)
SEND_BACK_COMMENTS = (
    "请补充储罐区的应急处置措施后再提交签署",
    "车间负责人已调整，请更新管控责任人后再提交",
    "请与设备部核对特种设备的检查周期后再提交",
)
ACCEPT_COMMENTS = ("", "", "同意备案", "经审核，同意备案", "资料齐全，同意备案")
EDIT_SUFFIXES = (
    "；交接班时复核一次",
    "；检查结果记入巡检记录并拍照留存",
    "；雨季前增加一次专项检查",
    "；发现异常立即报告车间负责人",
)


@dataclass
class FilingStories:
    counts: Counter[str] = field(default_factory=Counter)

    def comment(self) -> str:
        c = self.counts
        return (
            f"一企一册备案：已接收 {c['accepted']}，已过期 {c['outdated']}，待审核 {c['filed']}，"
            f"已退回 {c['returned']}，待签署 {c['to_sign']}，签署人退回 {c['sent_back']}，"
            f"未备案 {c['never']}；清单修改 {c['edits']} 次；告知卡确认 {c['confirmations']} 条"
        )


class DemoClock:
    """The time `timezone.now()` answers inside `demo_clock`: moved forward by the stories."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        # In UTC like the real `timezone.now()` (the audit chain hashes the value as it is stored).
        return self.now.astimezone(dt.UTC)

    def at(self, day: dt.date, rng: random.Random) -> None:
        """A working hour of `day` (local time), as UTC like the real `timezone.now()`."""
        local = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
        self.now = timezone.make_aware(local).astimezone(dt.UTC)


@contextmanager
def demo_clock(start: dt.datetime) -> Iterator[DemoClock]:
    """Let the services see the story's day as "now" (the records, the audit log and the notifications)."""
    clock = DemoClock(start)
    with mock.patch.object(timezone, "now", clock):
        yield clock


@contextmanager
def quick_demo_hashes() -> Iterator[None]:
    """Hash (and check) the story accounts' public demo password with light Argon2 parameters.

    The legal representatives re-enter their password at every signature (`filing_sign`), and a full
    Argon2 check costs about a tenth of a second and 100 MB: hundreds of them would make up most of the
    demo's build time. The story accounts are therefore hashed with light parameters inside this block
    (so the check inside it is quick and asks for no rehash); the first real sign-in of such an account
    upgrades its hash to the configured parameters, as Django does whenever the parameters change. The
    password is the publicly printed demo password, so a light hash of it hides nothing less.
    """
    with mock.patch.multiple(Argon2PasswordHasher, time_cost=1, memory_cost=256, parallelism=1):
        yield


def username(prefix: str, index: int, worker: int | None = None) -> str:
    return f"{prefix}{index:04d}" + (f"_{worker}" if worker is not None else "")


def is_story_username(name: str) -> bool:
    return re.match(USERNAME_PATTERN, name) is not None


class StoryBuilder:
    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        enterprises: Sequence[tuple[int, Enterprise]],
        scale: int,
        skip: Sequence[int],
    ) -> None:
        self.rng = random.Random(f"{seed}:filings")
        self.today = today
        self.enterprises = enterprises  # (build index, enterprise)
        self.limit = min(MAX_STORIES, MAX_STORIES_PER_SCALE * scale)
        self.skip = frozenset(skip)
        self.result = FilingStories()
        self.password = settings.SAFEGRID_DEMO_PASSWORD

    # -- accounts ------------------------------------------------------------------------------

    def _accounts(self, chosen: Sequence[tuple[int, Enterprise]]) -> dict[int, tuple[User, User]]:
        """The safety manager's and the legal representative's logins of each chosen enterprise."""
        hashed = make_password(self.password)  # one hash for every story account (inside quick_demo_hashes)
        managers = {
            p.enterprise_id: p
            for p in Person.objects.filter(
                enterprise_id__in=[e.pk for _i, e in chosen], job_title="安全管理员", active=True
            ).order_by("-id")
        }
        users: list[User] = []
        roles: list[RoleAssignment] = []
        pairs: dict[int, tuple[User, User]] = {}
        linked: list[Person] = []
        for index, ent in chosen:
            manager = managers.get(ent.pk)
            sm = User(
                username=username(SM_PREFIX, index),
                display_name=manager.name if manager else ent.safety_manager,
                phone=manager.phone if manager else ent.safety_manager_phone,
                password=hashed,
            )
            lr = User(
                username=username(LR_PREFIX, index),
                display_name=ent.legal_rep,
                phone=ent.legal_rep_phone,
                password=hashed,
            )
            users += [sm, lr]
            roles += [
                RoleAssignment(user=sm, role=Role.SAFETY_MANAGER, enterprise=ent),
                RoleAssignment(user=lr, role=Role.LEGAL_REP, enterprise=ent),
            ]
            pairs[ent.pk] = (sm, lr)
            if manager is not None and manager.user_id is None:
                manager.user = sm
                linked.append(manager)
        User.objects.bulk_create(users)
        for role in roles:
            role.user_id = role.user.pk
        RoleAssignment.objects.bulk_create(roles)
        for person in linked:
            person.user_id = person.user.pk if person.user else None
        Person.objects.bulk_update(linked, ["user"])
        return pairs

    # -- one enterprise's story ----------------------------------------------------------------

    def _day(self, after: dt.date, low: int, high: int) -> dt.date:
        return min(self.today - dt.timedelta(days=1), after + dt.timedelta(days=self.rng.randint(low, high)))

    def _edit(self, clock: DemoClock, actor: User, enterprise: Enterprise, day: dt.date) -> None:
        """One register edit through the points service: a control measure's check content made sharper."""
        measure = (
            ControlMeasure.objects.filter(risk_point__enterprise=enterprise, risk_point__active=True)
            .select_related("risk_point")
            .order_by("risk_point__code", "code")
        )
        count = measure.count()
        if not count:
            return
        chosen = measure[self.rng.randrange(count)]
        clock.at(day, self.rng)
        suffix = self.rng.choice(EDIT_SUFFIXES)
        point_services.measure_update(
            actor=actor, measure=chosen, data={"check_content": chosen.check_content.rstrip("。") + suffix}
        )
        self.result.counts["edits"] += 1

    def _compile_and_sign(
        self, clock: DemoClock, sm: User, lr: User, enterprise: Enterprise, day: dt.date
    ) -> tuple[RiskRegisterFiling, dt.date]:
        clock.at(day, self.rng)
        book = filing_services.filing_compile(actor=sm, enterprise=enterprise)
        filing_services.filing_submit(actor=sm, filing=book)
        day = self._day(day, 1, 6)
        clock.at(day, self.rng)
        book = filing_services.filing_sign(actor=lr, filing=book, password=self.password)
        return book, day

    def _review(self, clock: DemoClock, book: RiskRegisterFiling, day: dt.date, *, accept: bool) -> dt.date:
        officers = sorted(reviewing_officers(book), key=lambda u: u.username)
        if not officers:
            return day
        day = self._day(day, 2, 20)
        clock.at(day, self.rng)
        if accept:
            filing_services.filing_accept(
                actor=officers[0], filing=book, comment=self.rng.choice(ACCEPT_COMMENTS)
            )
        else:
            filing_services.filing_return(
                actor=officers[0], filing=book, comment=self.rng.choice(RETURN_COMMENTS)
            )
        return day

    def _story(self, clock: DemoClock, story: str, enterprise: Enterprise, sm: User, lr: User) -> str:
        """Play one story; returns the state it ended in ("never" when the register cannot be filed)."""
        revision = RegisterRevision.objects.filter(enterprise=enterprise).values_list("changed_at", flat=True)
        since = max(
            timezone.localdate(revision[0]) if revision else self.today, self.today - dt.timedelta(days=330)
        )
        day = self._day(since, 3, 60 if story in ("to_sign", "sent_back", "filed") else 25)
        if story in ("to_sign", "sent_back", "filed"):
            # Recent work: the book is still on its way.
            day = max(day, self.today - dt.timedelta(days=self.rng.randint(2, 25)))
        try:
            with transaction.atomic():
                if story in ("to_sign", "sent_back"):
                    clock.at(day, self.rng)
                    book = filing_services.filing_compile(actor=sm, enterprise=enterprise)
                    filing_services.filing_submit(actor=sm, filing=book)
                    if story == "sent_back":
                        clock.at(self._day(day, 1, 3), self.rng)
                        filing_services.filing_send_back(
                            actor=lr, filing=book, comment=self.rng.choice(SEND_BACK_COMMENTS)
                        )
                    return story
                book, day = self._compile_and_sign(clock, sm, lr, enterprise, day)
                if story == "filed" or not reviewing_officers(book):
                    return "filed"  # waiting for review (nobody holds the reviewing role yet, if no officer)
                if story == "resubmitted":
                    day = self._review(clock, book, day, accept=False)
                    self._edit(clock, sm, enterprise, self._day(day, 2, 10))
                    book, day = self._compile_and_sign(clock, sm, lr, enterprise, self._day(day, 3, 12))
                    self._review(clock, book, day, accept=True)
                    return "accepted"
                day = self._review(clock, book, day, accept=story != "returned")
                if story == "outdated":
                    self._edit(clock, sm, enterprise, self._day(day, 20, 120))
                return story
        except filing_services.RegisterIncomplete:
            return "never"  # a point still lacks a required tier: the book cannot be compiled yet

    # -- post workers' receipts ----------------------------------------------------------------

    def _confirmations(self, clock: DemoClock, stories: Sequence[tuple[int, Enterprise]]) -> None:
        """A few post workers per enterprise, each having confirmed some of their cards (not all)."""
        hashed = make_password(self.password)
        picked = stories[:CONFIRMING_ENTERPRISES]
        people = list(
            Person.objects.filter(
                enterprise_id__in=[e.pk for _i, e in picked],
                active=True,
                user__isnull=True,
                org_unit__kind=OrgUnitKind.POST,
            )
            .select_related("org_unit")
            .order_by("enterprise_id", "id")
        )
        by_enterprise: dict[int, list[Person]] = {}
        for person in people:
            by_enterprise.setdefault(person.enterprise_id, []).append(person)
        workers: list[tuple[User, Person]] = []
        for index, ent in picked:
            for number, person in enumerate(by_enterprise.get(ent.pk, [])[:3], start=1):
                user = User(
                    username=username(PW_PREFIX, index, number),
                    display_name=person.name,
                    phone=person.phone,
                    password=hashed,
                )
                workers.append((user, person))
        User.objects.bulk_create([u for u, _p in workers])
        RoleAssignment.objects.bulk_create(
            RoleAssignment(user=u, role=Role.UNIT_USER, enterprise_id=p.enterprise_id, org_unit=p.org_unit)
            for u, p in workers
        )
        for user, person in workers:
            person.user = user
        Person.objects.bulk_update([p for _u, p in workers], ["user"])
        for user, _person in workers:
            points = list(my_points(user).order_by("code", "id"))
            for point in points:
                if self.rng.random() < 0.6:
                    clock.at(self.today - dt.timedelta(days=self.rng.randint(1, 200)), self.rng)
                    card_services.card_confirm(
                        actor=user, point=point, kind=CardKind.POST, user_agent="演示数据"
                    )
                    self.result.counts["confirmations"] += 1
        self.result.counts["workers"] = len(workers)

    # -- the run -------------------------------------------------------------------------------

    def build(self) -> FilingStories:
        with_register = set(RegisterRevision.objects.values_list("enterprise_id", flat=True))
        eligible = [(i, e) for i, e in self.enterprises if e.pk in with_register and e.pk not in self.skip]
        incomplete = incomplete_registers([e.pk for _i, e in eligible])
        self.result.counts["incomplete"] = len(incomplete)
        eligible = [(i, e) for i, e in eligible if e.pk not in incomplete]
        rng = self.rng
        total = sum(STORY_WEIGHTS.values())
        wanted = min(self.limit, round(len(eligible) * (1 - STORY_WEIGHTS["never"] / total)))
        # The programme started in the two street towns (索镇、少海街道, the towns of town_a and town_b):
        # most of their enterprises have a story when the cap bites, the other towns are catching up.
        first = [n for n, (_i, e) in enumerate(eligible) if str(e.division_id)[:9] in FIRST_TOWNS]
        first = rng.sample(first, min(len(first), int(wanted * FIRST_TOWNS_SHARE)))
        rest = sorted(set(range(len(eligible))) - set(first))
        kept = sorted({*first, *rng.sample(rest, min(len(rest), wanted - len(first)))})
        stories = story_quota(len(kept))
        rng.shuffle(stories)
        playing = [(*eligible[n], story) for n, story in zip(kept, stories, strict=True)]
        self.result.counts["never"] = len(eligible) - len(playing) + len(incomplete)
        with quick_demo_hashes(), demo_clock(timezone.now()) as clock:
            accounts = self._accounts([(i, e) for i, e, _s in playing])
            ended: list[tuple[int, Enterprise]] = []
            for index, ent, story in playing:
                sm, lr = accounts[ent.pk]
                state = self._story(clock, story, ent, sm, lr)
                self.result.counts[state] += 1
                if state in ("accepted", "outdated"):
                    ended.append((index, ent))
            self._confirmations(clock, ended)
        return self.result


def story_quota(count: int) -> list[str]:
    """`count` stories in the proportions of STORY_WEIGHTS (without "never"), every story at least once
    when there are enough enterprises (largest remainders, so the mix holds for a small county too)."""
    weights = {k: w for k, w in STORY_WEIGHTS.items() if k != "never"}
    total = sum(weights.values())
    exact = {k: count * w / total for k, w in weights.items()}
    quota = {k: max(int(v), 1 if count >= len(weights) else 0) for k, v in exact.items()}
    for key in sorted(weights, key=lambda k: exact[k] - int(exact[k]), reverse=True):
        if sum(quota.values()) >= count:
            break
        quota[key] += 1
    while sum(quota.values()) > count:  # the minimum of one each overshot: take from the largest
        quota[max(quota, key=lambda k: quota[k])] -= 1
    return [k for k, n in quota.items() for _ in range(n)]


def incomplete_registers(enterprise_ids: Sequence[int]) -> set[int]:
    """The enterprises of `enterprise_ids` with an active point lacking a tier its level requires: their
    book cannot be compiled yet (`filing_compile` refuses it), so they stay unfiled. Two queries."""
    held: dict[int, set[str]] = {}
    for point_id, tier in ResponsibilityAssignment.objects.filter(
        risk_point__enterprise_id__in=enterprise_ids, risk_point__active=True, active=True
    ).values_list("risk_point_id", "tier"):
        held.setdefault(point_id, set()).add(tier)
    points = RiskPoint.objects.filter(enterprise_id__in=enterprise_ids, active=True)
    return {
        enterprise_id
        for pk, enterprise_id, level in points.values_list("pk", "enterprise_id", "level")
        if level is None or assessment_rules.missing_tiers(level, held.get(pk, set()))
    }


def build(
    *,
    seed: int,
    today: dt.date,
    enterprises: Sequence[tuple[int, Enterprise]],
    scale: int = 1,
    skip: Sequence[int] = (),
) -> FilingStories:
    """Play the filing stories of `enterprises` ((build index, enterprise) pairs); `skip` keeps the
    enterprises of the fixed logins (ent_a, ent_b) unfiled for a new user to try the flow."""
    return StoryBuilder(seed=seed, today=today, enterprises=enterprises, scale=scale, skip=skip).build()


def filing_states() -> Counter[str]:
    """Each enterprise's book state as a regulator reads it: the newest version's status, "outdated" for
    an accepted book whose register changed since (for the tests and the report)."""
    states: Counter[str] = Counter()
    revisions = dict(RegisterRevision.objects.values_list("enterprise_id", "revision"))
    newest: dict[int, tuple[int, str, int]] = {}
    for ent, version, status, rev in RiskRegisterFiling.objects.exclude(
        status=FilingStatus.SUPERSEDED
    ).values_list("enterprise_id", "version", "status", "register_revision"):
        if ent not in newest or version > newest[ent][0]:
            newest[ent] = (version, status, rev)
    for ent, (_v, status, rev) in newest.items():
        outdated = status == FilingStatus.ACCEPTED and revisions.get(ent, rev) > rev
        states["outdated" if outdated else status] += 1
    states["never"] = len(set(revisions) - set(newest))
    return states


__all__ = ["build", "demo_clock", "filing_states", "is_story_username"]
