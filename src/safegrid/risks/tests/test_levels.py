"""The one risk level table and the template tags that draw from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from safegrid.risks.choices import RiskColour, RiskLevel
from safegrid.risks.rules import levels, methods
from safegrid.risks.templatetags.risk_levels import risk_badge, risk_fill


@pytest.mark.parametrize(
    ("level", "name", "colour", "fill", "ink"),
    [
        (1, "重大风险", "red", "#d63939", "#ffffff"),
        (2, "较大风险", "orange", "#f76707", "#ffffff"),
        (3, "一般风险", "yellow", "#f5c400", "#1d1d1d"),
        (4, "低风险", "blue", "#206bc4", "#ffffff"),
        (None, "未定级", "grey", "#868e96", "#ffffff"),
        (0, "未定级", "grey", "#868e96", "#ffffff"),
        (7, "未定级", "grey", "#868e96", "#ffffff"),
    ],
)
def test_look(level: int | None, name: str, colour: str, fill: str, ink: str) -> None:
    look = levels.look(level)
    assert (look.name, look.colour, look.hex, look.text_hex) == (name, colour, fill, ink)


def test_method_tables_and_choices_read_the_level_table() -> None:
    for level, look in levels.LOOKS.items():
        assert methods.LEVEL_NAMES[level] == look.name
        assert methods.LEVEL_COLOURS[level] == look.colour
        assert str(RiskLevel(level).label) == look.name
        assert RiskLevel(level).colour == look.colour
        assert str(RiskColour(look.colour).label) == look.colour_word
    assert len({look.hex for look in levels.LOOKS.values()} | {levels.NOT_GRADED.hex}) == 5


def test_risk_badge_names_the_level_in_its_colour() -> None:
    html = str(risk_badge(3))
    assert "一般风险" in html and "sg-risk-yellow" in html and "bg-yellow" in html
    assert "style=" not in html  # the CSP allows no inline style
    assert "名称" in str(risk_badge(1, "名称"))
    assert str(risk_badge(None)) == '<span class="badge bg-secondary-lt">未定级</span>'
    assert str(risk_badge(None, empty="未评定")) == '<span class="badge bg-secondary-lt">未评定</span>'
    assert risk_fill(2) == "sg-fill-orange"
    assert risk_fill(None) == "sg-fill-grey"


def test_template_tags_render() -> None:
    html = Template("{% load risk_levels %}{% risk_badge level %}|{% risk_fill level %}").render(
        Context({"level": 1})
    )
    assert "重大风险" in html and "bg-red" in html and html.endswith("|sg-fill-red")


def test_levels_css_fills_each_level_with_the_tables_colours() -> None:
    css = (Path(__file__).resolve().parent.parent / "static" / "risks" / "levels.css").read_text()
    rules = dict(re.findall(r"\.(sg-fill-[a-z]+) \{ ([^}]*) \}", css))
    for look in [*levels.LOOKS.values(), levels.NOT_GRADED]:
        assert rules.pop(risk_fill(look.level)) == f"background-color: {look.hex}; color: {look.text_hex};"
    assert not rules, f"classes for no level: {rules}"
