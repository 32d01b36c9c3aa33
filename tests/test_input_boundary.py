"""Issue 8, kept fixed: bad text through every door, then every export and PDF.

Every control character (C0, DEL, C1), NUL, a lone surrogate, a 10 MB string and formula prefixes
go through each write path — a web form, the API and an Excel import. Control characters and
surrogates are refused whole (nothing half-saved, no audit entry); the 10 MB body is a 413; formula
text is stored as typed. Then every list export (xlsx and CSV), the register workbook, the import
templates and every PDF is downloaded as the county: no 500, no live formula in any cell. Data
stored before the input rule existed (a control character written straight into the database) does
not break an export either.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from safegrid.core import tokens
from safegrid.core.excel.cells import FORMULA_TRIGGERS
from safegrid.core.lists import ScopedListView
from safegrid.core.models import AuditEntry
from safegrid.enterprises.importing import COLUMNS, DATA_SHEET
from safegrid.enterprises.models import Enterprise, ImportJob, Person
from safegrid.enterprises.models_import import ImportKind, ImportStatus
from safegrid.enterprises.tests.test_import import upload
from safegrid.risks.models import RiskCard, RiskPoint, RiskRegisterFiling
from safegrid.risks.testing import POINT_NAME
from safegrid.risks.tests.factories import render_books

CONTROL = [chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))]
SURROGATE = "\ud800"
FORMULAS = ['=HYPERLINK("http://evil","x")', "=cmd|'/C calc'!A0", "+SUM(1,2)", "-1+1", "@SUM(A1)"]
TEN_MB = "x" * (10 * 1024 * 1024)


def _fingerprint(person: Person) -> tuple[Any, ...]:
    person.refresh_from_db()
    return (Person.objects.count(), AuditEntry.objects.count(), person.name, person.job_title)


def _form_data(person: Person, **changes: str) -> dict[str, Any]:
    data = {
        "name": person.name,
        "job_title": person.job_title,
        "phone": person.phone,
        "org_unit": person.org_unit_id or "",
        "active": "on",
    }
    return {**data, **changes}


def _people_workbook(rows: list[dict[str, Any]]) -> bytes:
    """A people import file written cell by cell. A control character goes in as Excel itself
    stores one (`_x0001_`), which the writer of our own exports would have removed."""
    from openpyxl import Workbook

    columns = COLUMNS[ImportKind.PEOPLE]
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = DATA_SHEET[ImportKind.PEOPLE]
    sheet.append([c.header for c in columns])
    for row in rows:
        sheet.append([row.get(c.key) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _excel_escape(text: str) -> str:
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F else ch for ch in text)


@pytest.fixture
def county(world, login):
    return login(world.user("county_admin"))


def test_control_characters_and_surrogates_are_refused_whole_at_every_door(world, client, county):
    person = world.person_a
    manager = world.user("ent_a")
    raw, _token = tokens.token_issue(actor=manager, user=manager, name="t")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    edit = f"/enterprises/people/{person.pk}/edit/"
    api = f"/api/v1/people/{person.pk}"
    for char in [*CONTROL, SURROGATE]:
        label = f"U+{ord(char):04X}"
        before = _fingerprint(person)
        if char != SURROGATE:  # a browser cannot send one: see below
            page = county.post(edit, _form_data(person, name=f"李{char}四"))
            assert page.status_code == 200 and "不能包含" in page.content.decode(), label
            assert _fingerprint(person) == before, label
        response = client.patch(api, {"job_title": f"工{char}"}, content_type="application/json", **bearer)
        assert response.status_code == 422, (label, response.content)
        assert list(response.json()["error"]["fields"]) == ["job_title"], label
        assert _fingerprint(person) == before, label

    # A form body is bytes: a surrogate's UTF-8 form (ED A0 80) is invalid and decodes to U+FFFD.
    body = "&".join(f"{k}={v}" for k, v in _form_data(person, job_title="").items()) + "&job_title=%ED%A0%80"
    county.post(edit, body, content_type="application/x-www-form-urlencoded")
    person.refresh_from_db()
    assert SURROGATE not in person.job_title

    rows = [
        {"enterprise": world.ent_a.uscc, "name": _excel_escape(f"王{char}五")}
        for char in CONTROL
        if char not in "\t\n\r"  # Excel keeps these as they are; they are refused as line breaks too
    ]
    rows.append({"enterprise": world.ent_a.uscc, "name": "赵\t六"})
    people_audit = AuditEntry.objects.filter(object_type="enterprises.person")  # the upload itself is audited
    before = (Person.objects.count(), people_audit.count())
    upload(county, ImportKind.PEOPLE, _people_workbook(rows))
    job = ImportJob.objects.latest("id")
    assert job.status == ImportStatus.FAILED
    assert len(job.errors) == len(rows) and {e["column"] for e in job.errors} == {"姓名"}
    assert (Person.objects.count(), people_audit.count()) == before


def test_a_10_mb_string_is_413_on_a_form_and_the_api(world, client, county):
    person = world.person_a
    before = _fingerprint(person)
    page = county.post(f"/enterprises/people/{person.pk}/edit/", _form_data(person, job_title=TEN_MB))
    assert page.status_code == 413
    manager = world.user("ent_a")
    raw, _token = tokens.token_issue(actor=manager, user=manager, name="t")
    response = client.patch(
        f"/api/v1/people/{person.pk}",
        {"job_title": TEN_MB},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert _fingerprint(person)[0] == before[0] and person.job_title == before[3]


def _list_export_urls() -> list[str]:
    """Every list page without path arguments (they all export what they show)."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                route = prefix + str(pattern.pattern)
                if view is not None and issubclass(view, ScopedListView) and "<" not in route:
                    found.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return found


def _live_formulas_in_xlsx(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    bad = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS)
                ):
                    bad.append(f"{sheet.title}!{cell.coordinate}: {cell.value!r}")
    return bad


def _live_formulas_in_csv(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    return [value for row in rows for value in row if value.startswith(FORMULA_TRIGGERS)]


def test_formula_text_is_stored_as_typed_and_every_export_and_pdf_neutralises_it(world, client, county):
    from safegrid.testworld import extend_world

    extend_world(world)
    ent_a, point_b = world.ent_a, RiskPoint.objects.get(enterprise=world.ent_b, name=POINT_NAME)
    # The web form: a risk point whose location is a formula.
    page = county.post(
        f"/risks/enterprises/{ent_a.pk}/points/new/",
        {
            "code": "RP-F1",
            "name": "储罐区",
            "type": "facility",
            "location": FORMULAS[0],
            "description": "a\tb\r\nc",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    point = RiskPoint.objects.get(enterprise=ent_a, code="RP-F1")
    assert point.location == FORMULAS[0] and point.description == "a\tb\nc"  # multi-line keeps tab/newline
    # The API: a person and an enterprise contact named like formulas.
    manager = world.user("ent_a")
    raw, _token = tokens.token_issue(actor=manager, user=manager, name="t")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    created = client.post(
        "/api/v1/people",
        {"enterprise": ent_a.pk, "name": FORMULAS[1]},
        content_type="application/json",
        **bearer,
    )
    assert created.status_code == 201, created.content
    patched = client.patch(
        f"/api/v1/enterprises/{ent_a.pk}",
        {"safety_manager": FORMULAS[4]},
        content_type="application/json",
        **bearer,
    )
    assert patched.status_code == 200, patched.content
    # An Excel import: people named like formulas.
    content = _people_workbook([{"enterprise": ent_a.uscc, "name": f, "job_title": f} for f in FORMULAS[2:4]])
    upload(county, ImportKind.PEOPLE, content)
    assert ImportJob.objects.latest("id").status == ImportStatus.DONE
    assert set(FORMULAS[2:4]) <= set(Person.objects.values_list("name", flat=True))
    # Data from before the input rule: control characters written straight into the database.
    Enterprise.objects.filter(pk=world.ent_b.pk).update(safety_manager="王\x01五", address="路\x1b口")
    RiskPoint.objects.filter(pk=point_b.pk).update(location="=1+1\x02", name="罐\x03区")

    for url in _list_export_urls():
        for fmt in ("xlsx", "csv"):
            response = county.get(url, {"export": fmt}, follow=True)  # a list may first pick its period
            assert response.status_code == 200, (url, fmt)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            bad = _live_formulas_in_xlsx(body) if fmt == "xlsx" else _live_formulas_in_csv(body)
            assert not bad, (url, fmt, bad)
    workbooks = [
        f"/risks/excel/export.xlsx?enterprise={ent_a.pk}",
        f"/risks/excel/export.xlsx?enterprise={world.ent_b.pk}",
        f"/risks/excel/template.xlsx?enterprise={ent_a.pk}",
        "/enterprises/import/template.xlsx?kind=enterprises",
        "/enterprises/import/template.xlsx?kind=people",
    ]
    for url in workbooks:
        response = county.get(url)
        assert response.status_code == 200, url
        assert not _live_formulas_in_xlsx(response.content), url
    register = load_workbook(io.BytesIO(county.get(workbooks[0]).content))
    locations = [c.value for c in register["风险点"]["E"]]
    assert "'" + FORMULAS[0] in locations  # neutralised, and the import takes the apostrophe off again

    render_books()
    pdfs = [f"/risks/filings/{f.pk}/pdf/" for f in RiskRegisterFiling.objects.all()]
    pdfs += [f"/risks/cards/point/{p.pk}/post.pdf" for p in RiskPoint.objects.all()]
    pdfs += [f"/risks/cards/point/{c.risk_point_id}/{c.kind}.pdf" for c in RiskCard.objects.all()]
    for enterprise in (ent_a, world.ent_b):
        pdfs += [f"/risks/cards/enterprise/{enterprise.pk}/notice.pdf"]
        pdfs += [
            f"/risks/cards/enterprise/{enterprise.pk}/{kind}-cards.pdf" for kind in ("post", "emergency")
        ]
    assert len(pdfs) >= 6
    for url in pdfs:
        response = county.get(url)
        assert response.status_code in {200, 302}, (url, response.status_code)
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert body.startswith(b"%PDF"), url
