"""Pure risk-grading rules: LEC, LS and MES scoring, bands, control tiers, JHA steps.

No ORM and no Django: every function takes plain values and returns plain values, so the tables
in `rules/methods.py` can be tested exhaustively and a stored result can always be recomputed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from . import methods

Method = Literal["LEC", "LS", "MES"]
METHODS: Final[tuple[Method, ...]] = ("LEC", "LS", "MES")
LsVariant = Literal["A", "B", "C"]


class InvalidInput(ValueError):
    """An assessment input outside the method's table; names the field and the allowed values."""

    def __init__(self, field: str, value: object, allowed: Collection[object]) -> None:
        self.field = field
        self.value = value
        self.allowed = tuple(allowed)
        allowed_text = "、".join(_fmt(a) for a in self.allowed)
        shown = "（未填写）" if value is None or value == "" else f"“{value}”"
        self.message = f"{field} 的取值{shown}无效，允许值：{allowed_text}"
        super().__init__(self.message)


def _fmt(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@dataclass(frozen=True)
class Band:
    """One band of a method: scores at or above `lower` (above, if not inclusive) get `level`."""

    level: int
    lower: Decimal
    inclusive: bool = True

    def matches(self, score: Decimal) -> bool:
        return score >= self.lower if self.inclusive else score > self.lower


@dataclass(frozen=True)
class LecThresholds:
    """The minimum D for levels 1, 2 and 3 (configurable per county; default 320 / 160 / 70)."""

    major: Decimal = methods.LEC_DEFAULT_THRESHOLDS[0]
    large: Decimal = methods.LEC_DEFAULT_THRESHOLDS[1]
    general: Decimal = methods.LEC_DEFAULT_THRESHOLDS[2]

    def problem(self) -> str | None:
        if not (self.major > self.large > self.general > 0):
            return "LEC 分级阈值须满足：重大 > 较大 > 一般 > 0"
        return None

    @property
    def is_default(self) -> bool:
        return (self.major, self.large, self.general) == methods.LEC_DEFAULT_THRESHOLDS

    def bands(self) -> tuple[Band, ...]:
        return (Band(1, self.major), Band(2, self.large), Band(3, self.general))


@dataclass(frozen=True)
class RiskConfig:
    """The county's grading configuration (RiskSettings as a plain value)."""

    lec: LecThresholds = LecThresholds()
    ls_variant: LsVariant = "A"

    def problem(self) -> str | None:
        if self.ls_variant not in methods.LS_VARIANTS:
            return f"LS 分级方案须为 {'、'.join(methods.LS_VARIANTS)} 之一"
        return self.lec.problem()


DEFAULT_CONFIG: Final = RiskConfig()


@dataclass(frozen=True)
class AssessmentResult:
    method: Method
    inputs: Mapping[str, Decimal]
    score: Decimal
    level: int
    colour: str
    level_name: str
    method_version: str

    @property
    def national_level(self) -> int:
        return to_national_level(self.level)

    def inputs_json(self) -> dict[str, int | float]:
        """The inputs as JSON numbers (integers where integral), for storage and the API."""
        return {k: number(v) for k, v in self.inputs.items()}


def number(value: Decimal) -> int | float:
    """A Decimal as a JSON-friendly number: int when integral, float otherwise."""
    return int(value) if value == value.to_integral_value() else float(value)


def level_for(score: Decimal, bands: Iterable[Band]) -> int:
    """The first band (most dangerous first) the score reaches; below every band is level 4."""
    for band in sorted(bands, key=lambda b: b.level):
        if band.matches(score):
            return band.level
    return 4


def lec_bands(thresholds: LecThresholds = LecThresholds()) -> tuple[Band, ...]:
    return thresholds.bands()


def ls_bands(variant: str = methods.LS_DEFAULT_VARIANT) -> tuple[Band, ...]:
    if variant not in methods.LS_VARIANTS:
        raise InvalidInput("variant", variant, methods.LS_VARIANTS)
    first, second, third = methods.LS_VARIANTS[variant]
    return (Band(1, Decimal(first)), Band(2, Decimal(second)), Band(3, Decimal(third)))


def mes_bands() -> tuple[Band, ...]:
    first, second, third = methods.MES_BOUNDS_EXCLUSIVE
    return (Band(1, first, False), Band(2, second, False), Band(3, third, False))


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def pick(field: str, value: object, allowed: Iterable[Decimal | int]) -> Decimal:
    """Return `value` as the allowed table value it equals, or raise InvalidInput naming the field."""
    table = [Decimal(a) for a in allowed]
    number_value = _as_decimal(value)
    if number_value is not None and number_value.is_finite():
        for candidate in table:
            if candidate == number_value:
                return candidate
    raise InvalidInput(field, value, sorted(table, reverse=True))


def _result(
    method: Method, inputs: dict[str, Decimal], score: Decimal, level: int, version: str
) -> AssessmentResult:
    return AssessmentResult(
        method=method,
        inputs=inputs,
        score=score,
        level=level,
        colour=methods.LEVEL_COLOURS[level],
        level_name=methods.LEVEL_NAMES[level],
        method_version=version,
    )


def lec_version(thresholds: LecThresholds) -> str:
    if thresholds.is_default:
        return methods.LEC_SOURCE
    return f"{methods.LEC_SOURCE};bands={_fmt(thresholds.major)}/{_fmt(thresholds.large)}/{_fmt(thresholds.general)}"


def assess_lec(
    likelihood: object, exposure: object, consequence: object, thresholds: LecThresholds = LecThresholds()
) -> AssessmentResult:
    problem = thresholds.problem()
    if problem:
        raise ValueError(problem)
    inputs = {
        "L": pick("L", likelihood, methods.LEC_L),
        "E": pick("E", exposure, methods.LEC_E),
        "C": pick("C", consequence, methods.LEC_C),
    }
    score = inputs["L"] * inputs["E"] * inputs["C"]
    return _result("LEC", inputs, score, level_for(score, thresholds.bands()), lec_version(thresholds))


def assess_ls(
    likelihood: object, severity: object, variant: str = methods.LS_DEFAULT_VARIANT
) -> AssessmentResult:
    bands = ls_bands(variant)
    inputs = {"L": pick("L", likelihood, methods.LS_L), "S": pick("S", severity, methods.LS_S)}
    score = inputs["L"] * inputs["S"]
    return _result("LS", inputs, score, level_for(score, bands), f"LS-{variant}/{methods.STANDARD}")


def assess_mes(control: object, exposure: object, severity: object) -> AssessmentResult:
    inputs = {
        "M": pick("M", control, methods.MES_M),
        "E": pick("E", exposure, methods.MES_E),
        "S": pick("S", severity, methods.MES_S),
    }
    score = inputs["M"] * inputs["E"] * inputs["S"]
    return _result("MES", inputs, score, level_for(score, mes_bands()), methods.MES_SOURCE)


METHOD_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "LEC": ("L", "E", "C"),
    "LS": ("L", "S"),
    "MES": ("M", "E", "S"),
}


def assess(
    method: object, inputs: Mapping[str, object], config: RiskConfig = DEFAULT_CONFIG, variant: object = None
) -> AssessmentResult:
    """Grade one hazard factor. `variant` overrides the county's LS variant when given."""
    if method == "LEC":
        return assess_lec(inputs.get("L"), inputs.get("E"), inputs.get("C"), config.lec)
    if method == "LS":
        chosen = config.ls_variant if variant is None or variant == "" else variant
        if not isinstance(chosen, str) or chosen not in methods.LS_VARIANTS:
            raise InvalidInput("variant", chosen, methods.LS_VARIANTS)
        return assess_ls(inputs.get("L"), inputs.get("S"), chosen)
    if method == "MES":
        return assess_mes(inputs.get("M"), inputs.get("E"), inputs.get("S"))
    raise InvalidInput("method", method, METHODS)


# --- Levels, tiers, points ----------------------------------------------------------------------


def to_national_level(level: int) -> int:
    """1–4 inside SafeGrid → 0 (major) … 3 (low) in the national upload."""
    if level not in methods.LEVELS:
        raise ValueError(f"风险等级须为 1–4，收到 {level}")
    return level - 1


def from_national_level(code: int) -> int:
    if code not in (0, 1, 2, 3):
        raise ValueError(f"国家平台风险等级须为 0–3，收到 {code}")
    return code + 1


def required_tiers(level: int | None) -> tuple[str, ...]:
    """The control tiers a level needs (REFERENCE §3); an ungraded point needs none yet."""
    if level is None:
        return ()
    return methods.REQUIRED_TIERS[level]


def missing_tiers(level: int | None, assigned: Iterable[str]) -> tuple[str, ...]:
    """Required tiers not yet assigned, in company → post order."""
    have = set(assigned)
    return tuple(t for t in required_tiers(level) if t not in have)


def factor_level(initial: int | None, residual: int | None) -> int | None:
    """A hazard factor's current level: the residual assessment once made, else the initial one.

    This mirrors the national upload's initialRiskLevel / currentRiskLevel pair.
    """
    return residual if residual is not None else initial


def point_level(factor_levels: Iterable[int | None]) -> int | None:
    """A risk point takes the most dangerous (numerically lowest) level of its factors; none → None."""
    graded = [lv for lv in factor_levels if lv is not None]
    return min(graded) if graded else None


def jha_step_problem(step: object, existing_steps: Iterable[int] = ()) -> str | None:
    """Why `step` cannot be added as a JHA step beside `existing_steps` (None if it can).

    A job is split into at most JHA_MAX_STEPS ordered steps, numbered 1…JHA_MAX_STEPS; a step may
    carry several hazard factors, so a number already in use is fine.
    """
    limit = methods.JHA_MAX_STEPS
    if isinstance(step, bool) or not isinstance(step, int):
        return f"JHA 作业步骤须填写 1–{limit} 的序号"
    distinct = set(existing_steps)
    if step not in distinct and len(distinct) >= limit:
        return f"一项作业活动最多划分为 {limit} 个步骤，已有 {len(distinct)} 个，不能再增加"
    if not 1 <= step <= limit:
        return f"一项作业活动最多划分为 {limit} 个步骤，步骤序号须为 1–{limit}，收到 {step}"
    return None


def jha_steps_problem(steps: Iterable[int]) -> str | None:
    """Validate a whole JHA step list: every number 1…JHA_MAX_STEPS, at most JHA_MAX_STEPS distinct."""
    seen: list[int] = []
    for step in steps:
        problem = jha_step_problem(step, seen)
        if problem:
            return problem
        seen.append(step)
    return None
