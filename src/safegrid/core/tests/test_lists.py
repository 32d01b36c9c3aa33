"""The list machinery renders the filter drop-downs and the table cells in Python (not template loops):
the same markup the template produced, every user-supplied text escaped."""

from __future__ import annotations

import datetime as dt

from django.utils.safestring import mark_safe

from safegrid.core.lists import Cell, cells_html, options_html


def test_options_escape_values_and_labels_and_select_the_chosen_one() -> None:
    html = options_html([("a", "甲"), ('b"><script>', "<b>乙</b>"), ("c", "丙")], "c")
    assert html == (
        '<option value="a">甲</option>'
        '<option value="b&quot;&gt;&lt;script&gt;">&lt;b&gt;乙&lt;/b&gt;</option>'
        '<option value="c" selected>丙</option>'
    )
    assert options_html([], "") == ""


def test_cells_render_like_the_template_did() -> None:
    cells = [
        Cell(None, None, None, "d-none"),  # default_if_none: ""
        Cell("<img src=x onerror=alert(1)>", None, None, ""),  # user text is escaped
        Cell("化工厂", None, "/enterprises/1/?a=1&b=2", "sg-wrap"),  # a link
        Cell("ignored", mark_safe('<span class="badge">重大</span>'), "/x/", "text-end"),  # html wins
        Cell(dt.date(2026, 1, 2), None, None, ""),
        Cell(0, None, None, ""),  # zero is shown, not blanked
    ]
    html = cells_html(cells)
    assert html.startswith('<td class="d-none"></td><td class="">&lt;img src=x onerror=alert(1)&gt;</td>')
    assert '<td class="sg-wrap"><a href="/enterprises/1/?a=1&amp;b=2">化工厂</a></td>' in html
    assert '<td class="text-end"><span class="badge">重大</span></td>' in html
    assert "2026" in html and html.endswith('<td class="">0</td>')


def test_choice_label_is_the_display_django_gives_in_each_language(world) -> None:
    from django.utils import translation

    from safegrid.core.lists import choice_label, resolve_attr
    from safegrid.enterprises.choices import EnterpriseStatus

    enterprise = world.ent_a
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for status in EnterpriseStatus.values:
                enterprise.status = status
                assert choice_label(enterprise, "status") == enterprise.get_status_display()
                assert resolve_attr(enterprise, "get_status_display") == enterprise.get_status_display()
    enterprise.status = "no-such-status"  # a value outside the choices shows as it is, as Django does
    assert choice_label(enterprise, "status") == enterprise.get_status_display() == "no-such-status"


def test_row_links_are_the_detail_urls(world, login) -> None:
    from django.urls import reverse

    response = login(world.user("county_admin")).get(reverse("enterprises:enterprise_list"))
    links = {row["url"] for row in response.context["rows"]}
    assert reverse("enterprises:enterprise_detail", args=[world.ent_a.pk]) in links
    assert all(
        row["url"] == reverse("enterprises:enterprise_detail", args=[row["object"].pk])
        for row in response.context["rows"]
    )


def test_a_display_method_that_is_no_choice_field_is_called(world) -> None:
    from safegrid.core.lists import resolve_attr

    enterprise = world.ent_a
    enterprise.get_summary_display = lambda: "自定义"  # not a field with choices: the method is called
    assert resolve_attr(enterprise, "get_summary_display") == "自定义"
    assert resolve_attr(enterprise, "division.name") == world.village_a.name
