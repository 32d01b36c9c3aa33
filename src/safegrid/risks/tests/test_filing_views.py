"""一企一册 pages: the enterprise's own book, the regulator's status list, detail, PDF and review."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from safegrid.core.testing import PASSWORD, SYSTEM
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.rules import make_uscc
from safegrid.regions.models import Sector
from safegrid.risks.choices import FilingStatus
from safegrid.risks.models import RegisterRevision, RiskRegisterFiling
from safegrid.risks.services import filing as filing_services
from safegrid.risks.services import points as services
from safegrid.testworld import World

from . import factories
from .factories import make_factor, make_measure, make_point, render_books
from .test_filing import complete_register

pytestmark = pytest.mark.django_db

MINE = reverse("risks:filing_mine")
STATUS = reverse("risks:filing_status")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _filed(world: World) -> RiskRegisterFiling:
    return factories.filed(world)


def _text(response) -> str:
    return response.content.decode()


# ---- the enterprise's own book -------------------------------------------------------------------


def test_enterprise_compiles_and_submits_the_legal_representative_signs(world, login) -> None:
    client = login(world.user("ent_a"))
    page = client.get(MINE)
    assert page.status_code == 200
    assert "尚未编制" in _text(page)
    assert "编制一企一册" in _text(page)

    refused = client.post(reverse("risks:filing_compile", args=[world.ent_a.pk]))
    assert refused.status_code == 200
    assert "一企一册不能编制" in _text(refused)
    assert "风险清单为空" in _text(refused)
    assert not RiskRegisterFiling.objects.exists()

    complete_register(world)
    compiled = client.post(reverse("risks:filing_compile", args=[world.ent_a.pk]))
    assert compiled.status_code == 302
    filing = RiskRegisterFiling.objects.get()
    page = client.get(compiled["Location"])
    assert "已编制，待提交法定代表人签署" in _text(page)
    assert "企业尚无可以签署的账号" in _text(page)  # no legal representative account yet
    # The book renders on the worker: its progress shows until it is done, then the download link.
    assert 'data-testid="book-job"' in _text(page) and "生成一企一册第 1 版 PDF" in _text(page)
    assert reverse("risks:filing_pdf", args=[filing.pk]) not in _text(page)
    assert render_books() == 1
    page = client.get(compiled["Location"])
    assert 'data-testid="book-job"' not in _text(page)
    assert reverse("risks:filing_pdf", args=[filing.pk]) in _text(page)

    legal = factories.legal_rep(world)
    page = _text(client.get(MINE))
    assert "提交后将通知签署人审阅：张甲" in page and "县安全生产监督管理局" in page
    sign_url = reverse("risks:filing_sign", args=[filing.pk])
    assert client.get(sign_url).status_code == 403  # the safety manager does not sign
    assert client.post(sign_url, {"password": PASSWORD}).status_code == 403
    work_safety = world.ent_a.sectors.get().departments.get(is_safety_office=False)
    submitted = client.post(
        reverse("risks:filing_submit", args=[filing.pk]), {"departments": [work_safety.pk]}
    )
    assert submitted.status_code == 302
    page = _text(client.get(MINE))
    assert "已提交，待法定代表人签署" in page and "审阅并签署" not in page

    signer = login(legal)
    page = _text(signer.get(MINE))
    assert "审阅并签署" in page and sign_url in page
    sign_page = _text(signer.get(sign_url))
    assert "签署人：张甲（法定代表人/主要负责人本人）" in sign_page and "确认签署并报送" in sign_page
    wrong = signer.post(sign_url, {"password": "not-my-password"})
    assert wrong.status_code == 200 and "密码不正确" in _text(wrong)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.TO_SIGN
    signed = signer.post(sign_url, {"password": PASSWORD})
    assert signed.status_code == 302 and signed["Location"] == reverse(
        "risks:filing_detail", args=[filing.pk]
    )
    filing.refresh_from_db()
    assert (filing.status, filing.signed_by) == (FilingStatus.FILED, legal)
    detail = _text(signer.get(signed["Location"]))
    assert "张甲 · " in detail and "行业主管部门（备案部门）" in detail
    assert "已报送待审核" in _text(client.get(MINE))


def test_the_signer_sends_the_book_back_on_the_page(world, login) -> None:
    complete_register(world)
    filing = factories.submitted(world)
    signer = login(factories.legal_rep(world))
    url = reverse("risks:filing_send_back", args=[filing.pk])
    refused = signer.post(url, {"comment": ""})
    assert (
        refused.status_code == 200 and 'name="comment"' in _text(refused) and "is-invalid" in _text(refused)
    )
    filing.refresh_from_db()
    assert filing.status == FilingStatus.TO_SIGN
    assert signer.post(url, {"comment": "请补充液氯储罐区的应急措施"}).status_code == 302
    page = _text(login(world.user("ent_a")).get(MINE))
    assert "签署人已退回，需修改后重新提交" in page and "请补充液氯储罐区的应急措施" in page
    assert "提交签署" in page  # may be submitted again as it is
    assert login(world.user("ent_a")).post(url, {"comment": "自己退回"}).status_code == 403
    assert login(world.user("ent_b")).post(url, {"comment": "别家退回"}).status_code == 404


def test_returned_book_shows_the_comment_and_outdated_book_says_so(world, login) -> None:
    point = complete_register(world)
    filing = _filed(world)
    filing_services.filing_return(
        actor=world.user("dept_chem"), filing=filing, comment="请补充应急管理类措施"
    )
    client = login(world.user("ent_a"))
    page = _text(client.get(MINE))
    assert "被退回" in page
    assert "请补充应急管理类措施" in page

    second = _filed(world)
    filing_services.filing_accept(actor=world.user("dept_chem"), filing=second)
    assert "已备案（监管部门已接收）" in _text(client.get(MINE))
    make_measure(world, point, description="巡检时检查安全阀铅封")
    page = _text(client.get(MINE))
    assert "清单已变更，需重新编制并报送" in page
    assert "重新编制一企一册" in page and "更新一企一册" not in page  # one wording, as the regulator's


def test_the_compile_refusal_links_to_exactly_the_points_to_fix(world, login) -> None:
    ready = complete_register(world)
    ungraded = make_point(world, "RP-002", name="未评价的仓库")
    untiered = make_point(world, "RP-003", name="缺责任人的泵房")
    factor = make_factor(untiered)
    services.assess(
        actor=SYSTEM, factor=factor, kind="initial", method="LEC", inputs={"L": 6, "E": 6, "C": 15}
    )
    client = login(world.user("ent_a"))
    refused = client.post(reverse("risks:filing_compile", args=[world.ent_a.pk]))
    html = _text(refused)
    assert reverse("risks:point_detail", args=[ungraded.pk]) in html
    assert reverse("risks:point_detail", args=[untiered.pk]) in html
    assert reverse("risks:point_detail", args=[ready.pk]) not in html
    fix_url = refused.context["compile_fix_url"]
    listed = client.get(fix_url)
    shown = {row.pk for row in listed.context["page_obj"].object_list}
    assert shown == {ungraded.pk, untiered.pk}
    assert "在风险点清单中列出这 2 个风险点" in html


def test_the_mine_page_is_for_the_enterprise_s_own_editors(world, login) -> None:
    complete_register(world)
    url = f"{MINE}?enterprise={world.ent_a.pk}"
    compile_url = reverse("risks:filing_compile", args=[world.ent_a.pk])
    assert login(world.user("ent_b")).get(url).status_code == 404
    assert login(world.user("ent_b")).post(compile_url).status_code == 404
    assert login(world.user("town_b")).get(url).status_code == 404
    assert login(world.user("town_a")).get(url).status_code == 403  # sees the enterprise, does not compile
    assert login(world.user("town_a")).post(compile_url).status_code == 403
    assert login(world.user("post_a")).get(url).status_code == 403
    assert not RiskRegisterFiling.objects.exists()
    assert login(world.user("county_admin")).get(url).status_code == 200


def test_users_without_an_own_enterprise_get_the_picker(world, login) -> None:
    for username in ("outsider", "post_a", "county_admin"):
        page = login(world.user(username)).get(MINE)
        assert page.status_code == 200
        assert "您的账号不负责任何企业的一企一册" in _text(page), username


# ---- detail, PDF and review ----------------------------------------------------------------------


def test_detail_and_pdf_are_scoped(world, login) -> None:
    complete_register(world)
    filing = _filed(world)
    detail = reverse("risks:filing_detail", args=[filing.pk])
    pdf = reverse("risks:filing_pdf", args=[filing.pk])
    early = login(world.user("ent_a")).get(pdf, follow=True)  # before the worker rendered it
    assert early.redirect_chain == [(detail, 302)]
    assert "第 1 版册子正在生成，请稍候片刻再下载" in _text(early)
    render_books()
    for username in ("ent_b", "town_b", "outsider"):
        client = login(world.user(username))
        assert client.get(detail).status_code == 404, username
        assert client.get(pdf).status_code == 404, username
    for username in ("town_a", "grid_a", "dept_chem", "county_admin", "ent_a"):
        client = login(world.user(username))
        assert client.get(detail).status_code == 200, username
        response = client.get(pdf)
        assert response.status_code == 200, username
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_only_reviewers_in_scope_accept_or_return(world, login) -> None:
    complete_register(world)
    filing = _filed(world)
    detail = reverse("risks:filing_detail", args=[filing.pk])
    accept = reverse("risks:filing_accept", args=[filing.pk])

    town = login(world.user("town_a"))
    assert "接收备案" not in _text(town.get(detail))
    assert town.post(accept).status_code == 403
    assert login(world.user("ent_b")).post(accept).status_code == 404
    filing.refresh_from_db()
    assert filing.status == FilingStatus.FILED

    dept = login(world.user("dept_chem"))
    page = _text(dept.get(detail))
    assert "接收备案" in page and "退回修改" in page
    refused = dept.post(reverse("risks:filing_return", args=[filing.pk]), {"comment": ""})
    assert refused.status_code == 200
    assert "退回时须填写审核意见" in _text(refused)
    assert dept.post(accept, {"comment": "内容完整"}).status_code == 302
    filing.refresh_from_db()
    assert (filing.status, filing.review_comment) == (FilingStatus.ACCEPTED, "内容完整")
    again = dept.post(accept)
    assert again.status_code == 200
    assert "当前状态「已接收」不能执行「接收」" in _text(again)


# ---- the regulator's status list -----------------------------------------------------------------


def _enterprise(world: World, number: int, sector: str = "hazardous_chemicals", village=None) -> Enterprise:
    return ent_services.enterprise_create(
        actor=SYSTEM,
        data={
            "name": f"备案测试企业{number:03d}",
            "uscc": make_uscc(f"91370321MA3E{number:05d}"),
            "division": village or world.village_a,
            "legal_rep": "测试",
        },
        sectors=[Sector.objects.get(code=sector)],
    )


def _filing(enterprise: Enterprise, status: str, version: int = 1, revision: int = 0) -> RiskRegisterFiling:
    """A bare filing row (the list reads statuses and revisions only)."""
    return RiskRegisterFiling.objects.create(
        enterprise=enterprise,
        version=version,
        status=status,
        register_revision=revision,
        snapshot={},
        fingerprint="0" * 64,
        compiled_at=timezone.now(),
        filed_at=timezone.now() if status != FilingStatus.COMPILED else None,
    )


@pytest.fixture
def statuses(world) -> dict[str, Enterprise]:
    """ent_a filed; ent_b never; others accepted, returned, accepted-then-changed, only a draft, superseded."""
    complete_register(world)
    _filed(world)
    accepted = _enterprise(world, 1)
    _filing(accepted, FilingStatus.SUPERSEDED, version=1)
    _filing(accepted, FilingStatus.ACCEPTED, version=2, revision=3)
    RegisterRevision.objects.update_or_create(enterprise=accepted, defaults={"revision": 3})
    returned = _enterprise(world, 2)
    _filing(returned, FilingStatus.RETURNED)
    _filing(returned, FilingStatus.COMPILED, version=2)  # the answer is still being prepared
    outdated = _enterprise(world, 3, sector="fire", village=world.village_b)
    _filing(outdated, FilingStatus.ACCEPTED, revision=1)
    RegisterRevision.objects.update_or_create(enterprise=outdated, defaults={"revision": 2})
    draft = _enterprise(world, 4)
    _filing(draft, FilingStatus.TO_SIGN)
    return {
        "filed": world.ent_a,
        "never": world.ent_b,
        "accepted": accepted,
        "returned": returned,
        "outdated": outdated,
        "draft": draft,
    }


def _names(client, query: str = "") -> set[str]:
    response = client.get(f"{STATUS}?{query}&export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row[0] for row in list(csv.reader(io.StringIO(body)))[1:]}


def test_status_filters(world, login, statuses) -> None:
    client = login(world.user("county_admin"))
    names = {key: e.name for key, e in statuses.items()}
    assert _names(client) == set(names.values())
    assert _names(client, "status=none") == {names["never"], names["draft"]}
    assert _names(client, "status=filed") == {names["filed"]}
    assert _names(client, "status=accepted") == {names["accepted"], names["outdated"]}
    assert _names(client, "status=returned") == {names["returned"]}
    assert _names(client, "status=outdated") == {names["outdated"]}
    assert _names(client, f"division={world.town_b.code}") == {names["never"], names["outdated"]}
    assert _names(client, "sector=fire") == {names["outdated"]}
    assert _names(client, "status=bogus") == set(names.values())  # unknown values are ignored


def test_status_list_page_shows_badges_counts_and_links(world, login, statuses) -> None:
    client = login(world.user("county_admin"))
    page = _text(client.get(STATUS))
    filing = RiskRegisterFiling.objects.get(enterprise=world.ent_a)
    assert reverse("risks:filing_detail", args=[filing.pk]) in page
    assert reverse("enterprises:enterprise_detail", args=[world.ent_b.pk]) in page
    assert "已备案待审核" in page and "已过期" in page and "未备案" in page
    assert "未备案 <span" in page  # the bucket buttons carry counts


def test_status_list_is_scoped(world, login, statuses) -> None:
    assert _names(login(world.user("town_a"))) == {
        statuses[k].name for k in ("filed", "accepted", "returned", "draft")
    }
    # The safety department leads hazardous chemicals (not fire, not building construction).
    assert _names(login(world.user("dept_chem"))) == {
        statuses[k].name for k in ("filed", "accepted", "returned", "draft")
    }
    assert _names(login(world.user("ent_b"))) == {world.ent_b.name}


def test_status_list_query_count_is_constant(world, login, statuses) -> None:
    client = login(world.user("county_admin"))
    urls = (
        f"{STATUS}?page=1",
        f"{STATUS}?status=outdated",
        f"{STATUS}?status=none&sector=hazardous_chemicals",
    )

    def counts() -> list[int]:
        out = []
        for url in urls:
            client.get(url)  # warm the session (filters are remembered) and caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            out.append(len(queries))
        return out

    few = counts()
    for number in range(10, 22):
        enterprise = _enterprise(world, number)
        _filing(enterprise, FilingStatus.ACCEPTED)
        RegisterRevision.objects.update_or_create(enterprise=enterprise, defaults={"revision": number % 3})
    assert counts() == few
