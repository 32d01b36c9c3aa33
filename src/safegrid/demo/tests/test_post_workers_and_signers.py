"""The demo's post workers reach and confirm their cards, and its legal representatives can sign: the
logins `safegrid demo_logins` tells a new user to try."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from safegrid.core.models import RoleAssignment, User
from safegrid.demo import builders
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.risks.models import ResponsibilityAssignment, RiskPoint, SigningDelegation
from safegrid.risks.selectors import cards as card_selectors
from safegrid.risks.selectors import delegation as delegation_selectors
from safegrid.risks.workflows import enterprise_signers

from .conftest import small_until

pytestmark = pytest.mark.django_db

small = small_until("filings")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("username", ["post_a", "post_a2"])
def test_post_workers_reach_the_cards_of_their_workshop_and_confirm(small: Any, username: str) -> None:
    user = User.objects.get(username=username)
    post = RoleAssignment.objects.get(user=user).org_unit
    assert post is not None and post.kind == OrgUnitKind.POST
    rows = card_selectors.my_cards(user)
    assert rows, "a demo post worker must have cards to read"
    held = 0
    for row in rows:
        assert row.point.org_unit is not None and row.point.org_unit.kind == OrgUnitKind.WORKSHOP
        tier = ResponsibilityAssignment.objects.get(risk_point=row.point, tier="post")
        checks = row.point.measures.filter(responsible_post=post).exists()
        assert tier.org_unit_id == post.pk or checks  # their post controls the point or checks a measure
        if tier.org_unit_id == post.pk:
            assert post.path.startswith(row.point.org_unit.path) and tier.person.user_id == user.pk
            held += 1
    assert held, "the post tier of the points of their workshop is theirs"
    client = _client(user)
    first = rows[0].point
    assert client.get(reverse("risks:card_by_qr", kwargs={"token": first.qr_token})).status_code == 200
    assert client.post(reverse("risks:card_confirm", kwargs={"token": first.qr_token})).status_code == 302
    assert card_selectors.my_cards(user)[-1].point == first  # confirmed: listed last
    others = RiskPoint.objects.filter(enterprise=first.enterprise).exclude(pk__in=[r.point.pk for r in rows])
    hidden = others.first()
    assert hidden is not None
    assert client.get(reverse("risks:card_by_qr", kwargs={"token": hidden.qr_token})).status_code == 404


def test_the_two_post_workers_work_in_different_places(small: Any) -> None:
    first = {r.point.pk for r in card_selectors.my_cards(User.objects.get(username="post_a"))}
    second = {r.point.pk for r in card_selectors.my_cards(User.objects.get(username="post_a2"))}
    assert first and second and not first & second


def test_legal_representatives_sign_and_ent_b_holds_a_written_delegation(small: Any) -> None:
    legal_a = User.objects.get(username="legal_a")
    ent_a = RoleAssignment.objects.get(user=legal_a).enterprise
    assert ent_a is not None and legal_a.display_name == ent_a.legal_rep
    assert [u.username for u in enterprise_signers(ent_a.pk)] == ["legal_a"]
    ent_b_user = User.objects.get(username="ent_b")
    delegation = SigningDelegation.objects.get()
    assert (delegation.delegator.username, delegation.delegate, delegation.enterprise_id) == (
        "legal_b",
        ent_b_user,
        RoleAssignment.objects.get(user=ent_b_user).enterprise_id,
    )
    assert delegation_selectors.active_delegation(ent_b_user, delegation.enterprise_id) == delegation
    with delegation.document.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_demo_logins_say_what_to_try(small: Any) -> None:
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username, hint in (
        ("post_a", "待确认的告知卡"),
        ("post_a2", "本岗位"),
        ("legal_a", "审阅签署"),
        ("legal_b", "签署委托"),
    ):
        line = next(line for line in text.splitlines() if line.strip().startswith(username + " "))
        assert hint in line, line


def test_reset_removes_the_delegation(small: Any) -> None:
    builders.reset()
    assert not SigningDelegation.objects.exists() and not User.objects.filter(username="legal_b").exists()
