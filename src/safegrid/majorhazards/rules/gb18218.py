"""GB 18218-2018 identification and grading of major hazard sources (pure, no ORM).

A unit (production unit or storage unit) is a major hazard source when S = Σ qᵢ/Qᵢ ≥ 1 (q the design
maximum quantity present, Q the critical quantity, both in tonnes). Its grade follows
R = α · Σ βᵢ · qᵢ/Qᵢ: grade 1 R ≥ 100 · grade 2 50 ≤ R < 100 · grade 3 10 ≤ R < 50 · grade 4 R < 10.
α is set by the resident population within 500 m outward from the *plant boundary* (not the unit's):
≥ 100 → 2.0 · 50–99 → 1.5 · 30–49 → 1.2 · 1–29 → 1.0 · 0 → 0.5.
β: the named toxic gases of Table 3 carry their own (matched by CAS), every other substance the β of its
category (Table 4). A substance of Table 1 uses its own Q; otherwise its category's Q.

Rounding: S and R are computed exactly (as fractions of the Decimal inputs), and whether a unit is major
and its grade are decided on these exact values (R exactly 10 is grade 3; three terms of 1/3 make S = 1).
The values handed out are Decimals of 28 significant digits; the stored ones keep 6 decimal places
(`STORE_PLACES`); pages and the API show 2 decimals rounded half up (`shown`).

Worked check (REFERENCE §5): 20 t chlorine (Q 5, β 4) + 100 t methanol (Q 500, W5.3, β 1), 60 people:
S = 4 + 0.2 = 4.2 → major; R = 1.5 × (4 × 4 + 1 × 0.2) = 24.3 → grade 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

STANDARD_VERSION = "GB 18218-2018"
STORE_PLACES = Decimal("0.000001")
SHOW_PLACES = Decimal("0.01")
ONE = Decimal(1)


@dataclass(frozen=True)
class Category:
    """A hazard category of Table 2/4: its critical quantity Q (t) and correction factor β."""

    code: str
    name: str
    q: Decimal
    beta: Decimal


def _c(code: str, name: str, q: str, beta: str) -> Category:
    return Category(code, name, Decimal(q), Decimal(beta))


CATEGORIES: tuple[Category, ...] = (
    _c("J1", "急性毒性类别1，气体", "5", "4"),
    _c("J2", "急性毒性类别1，固体、液体", "50", "1"),
    _c("J3", "急性毒性类别2、3，气体", "50", "2"),
    _c("J4", "急性毒性类别2、3，吸入，沸点≤35℃的液体", "50", "2"),
    _c("J5", "急性毒性类别2，其他液体、固体", "500", "1"),
    _c("W1.1", "不稳定爆炸物、1.1项爆炸物", "1", "2"),
    _c("W1.2", "1.2、1.3、1.5、1.6项爆炸物", "10", "2"),
    _c("W1.3", "1.4项爆炸物", "50", "2"),
    _c("W2", "易燃气体类别1、2", "10", "1.5"),
    _c("W3", "气溶胶类别1、2（净重）", "150", "1"),
    _c("W4", "氧化性气体类别1", "50", "1"),
    _c("W5.1", "易燃液体类别1；类别2、3工作温度高于沸点", "10", "1.5"),
    _c("W5.2", "易燃液体类别2、3，具有引发重大事故的特殊工艺条件", "50", "1"),
    _c("W5.3", "其他易燃液体类别2", "1000", "1"),
    _c("W5.4", "其他易燃液体类别3", "5000", "1"),
    _c("W6.1", "自反应物质和混合物 A型、B型", "10", "1.5"),
    _c("W6.2", "自反应物质和混合物 C型、D型、E型", "50", "1"),
    _c("W7.1", "有机过氧化物 A型、B型", "10", "1.5"),
    _c("W7.2", "有机过氧化物 C型、D型、E型、F型", "50", "1"),
    _c("W8", "自燃液体、自燃固体类别1", "50", "1"),
    _c("W9.1", "氧化性固体、液体类别1", "50", "1"),
    _c("W9.2", "氧化性固体、液体类别2、3", "200", "1"),
    _c("W10", "易燃固体类别1", "200", "1"),
    _c("W11", "遇水放出易燃气体的物质和混合物类别1、2", "200", "1"),
)
CATEGORY_BY_CODE: dict[str, Category] = {c.code: c for c in CATEGORIES}

# Table 3: β of the named toxic gases, by CAS (carbon monoxide, methyl bromide, nitrogen dioxide and
# phosphine are here although not in the named excerpt: a substance the county adds with that CAS gets it).
TOXIC_GAS_BETA: dict[str, Decimal] = {
    "630-08-0": Decimal(2),  # 一氧化碳
    "7446-09-5": Decimal(2),  # 二氧化硫
    "7664-41-7": Decimal(2),  # 氨
    "75-21-8": Decimal(2),  # 环氧乙烷
    "7647-01-0": Decimal(3),  # 氯化氢
    "74-83-9": Decimal(3),  # 溴甲烷
    "7782-50-5": Decimal(4),  # 氯
    "7783-06-4": Decimal(5),  # 硫化氢
    "7664-39-3": Decimal(5),  # 氟化氢
    "10102-44-0": Decimal(10),  # 二氧化氮
    "74-90-8": Decimal(10),  # 氰化氢
    "75-44-5": Decimal(20),  # 碳酰氯（光气）
    "7803-51-2": Decimal(20),  # 磷化氢
    "624-83-9": Decimal(20),  # 异氰酸甲酯
}


@dataclass(frozen=True)
class NamedSubstance:
    """A row of Table 1 (REFERENCE §5 excerpt): its own Q, the category its β comes from when it is not
    a named toxic gas, and the flags the requirements read (toxic gas, liquefied gas, highly toxic)."""

    name: str
    cas: str
    q: Decimal
    category: str
    aliases: tuple[str, ...] = ()
    variant: str = ""  # rows sharing a CAS (ammonium nitrate) differ by their variant
    toxic_gas: bool = False
    liquefied_gas: bool = False
    highly_toxic: bool = False

    @property
    def beta(self) -> Decimal:
        return substance_beta(self.cas, self.category)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.variant}）" if self.variant else self.name


def _n(
    name: str,
    cas: str,
    q: str,
    category: str,
    aliases: tuple[str, ...] = (),
    *,
    variant: str = "",
    tg: bool = False,
    lg: bool = False,
    ht: bool = False,
) -> NamedSubstance:
    return NamedSubstance(name, cas, Decimal(q), category, aliases, variant, tg, lg, ht)


NAMED: tuple[NamedSubstance, ...] = (
    _n("氯", "7782-50-5", "5", "J3", ("液氯", "chlorine"), tg=True, lg=True),
    _n("氨", "7664-41-7", "10", "J3", ("液氨", "ammonia"), tg=True, lg=True),
    _n("液化石油气", "68476-85-7", "50", "W2", ("LPG",), lg=True),
    _n("氢", "1333-74-0", "5", "W2", ("氢气", "hydrogen")),
    _n("甲烷", "74-82-8", "50", "W2", ("天然气", "methane")),
    _n("乙炔", "74-86-2", "1", "W2", ("acetylene",)),
    _n("乙烯", "74-85-1", "50", "W2", ("ethylene",), lg=True),
    _n("甲醇", "67-56-1", "500", "W5.3", ("methanol",)),
    _n("乙醇", "64-17-5", "500", "W5.3", ("酒精", "ethanol")),
    _n("苯", "71-43-2", "50", "W5.3", ("benzene",)),
    _n("甲苯", "108-88-3", "500", "W5.3", ("toluene",)),
    _n("汽油", "86290-81-5", "200", "W5.1", ("gasoline",)),
    _n("硫化氢", "7783-06-4", "5", "J3", ("hydrogen sulfide",), tg=True, lg=True),
    _n("光气", "75-44-5", "0.3", "J1", ("碳酰氯", "phosgene"), tg=True, lg=True, ht=True),
    _n("环氧乙烷", "75-21-8", "10", "W2", ("ethylene oxide",), tg=True, lg=True),
    _n("氯化氢", "7647-01-0", "20", "J3", ("氯化氢（无水）", "hydrogen chloride"), tg=True, lg=True),
    _n("二氧化硫", "7446-09-5", "20", "J3", ("sulfur dioxide",), tg=True, lg=True),
    _n("氟化氢", "7664-39-3", "1", "J3", ("无水氟化氢", "hydrogen fluoride"), tg=True, lg=True),
    _n("氰化氢", "74-90-8", "1", "J1", ("hydrogen cyanide",), tg=True, ht=True),
    _n("1,3-丁二烯", "106-99-0", "5", "W2", ("丁二烯", "butadiene"), lg=True),
    _n("氯乙烯", "75-01-4", "50", "W2", ("vinyl chloride",), lg=True),
    _n("丙烯腈", "107-13-1", "50", "W5.3", ("acrylonitrile",)),
    _n("二硫化碳", "75-15-0", "50", "W5.1", ("carbon disulfide",)),
    _n("乙醚", "60-29-7", "10", "W5.1", ("diethyl ether",)),
    _n("丙酮", "67-64-1", "500", "W5.3", ("acetone",)),
    _n("乙酸乙酯", "141-78-6", "500", "W5.3", ("ethyl acetate",)),
    _n("正己烷", "110-54-3", "500", "W5.3", ("n-hexane",)),
    _n("环己烷", "110-82-7", "500", "W5.3", ("cyclohexane",)),
    _n("苯乙烯", "100-42-5", "500", "W5.4", ("styrene",)),
    _n("1,2-环氧丙烷", "75-56-9", "10", "W5.1", ("环氧丙烷", "propylene oxide")),
    _n("二甲醚", "115-10-6", "50", "W2", ("dimethyl ether",), lg=True),
    _n("一甲胺", "74-89-5", "5", "W2", ("甲胺", "methylamine"), lg=True),
    _n("甲醛", "50-00-0", "5", "J3", ("甲醛（含量>90%）", "formaldehyde"), variant="含量>90%", tg=True),
    _n("甲苯二异氰酸酯", "26471-62-5", "100", "J5", ("TDI",)),
    _n("煤气", "", "20", "J3", ("CO和H2、CH4的混合物",), tg=True),
    _n("溴", "7726-95-6", "20", "J2", ("bromine",)),
    _n("三氧化硫", "7446-11-9", "75", "J5", ("sulfur trioxide",)),
    _n("异氰酸甲酯", "624-83-9", "0.75", "J1", ("methyl isocyanate", "MIC"), tg=True, ht=True),
    _n("硝酸铵", "6484-52-2", "5", "W1.1", (), variant="含可燃物>0.2%"),
    _n("硝酸铵", "6484-52-2", "50", "W9.1", (), variant="含可燃物≤0.2%"),
    _n("硝酸铵", "6484-52-2", "200", "W9.2", ("硝酸铵基化肥",), variant="化肥"),
    _n("硝酸钾", "7757-79-1", "1000", "W9.2", ("potassium nitrate",)),
    _n("氯酸钾", "3811-04-9", "100", "W9.1", ("potassium chlorate",)),
    _n("氯酸钠", "7775-09-9", "100", "W9.1", ("sodium chlorate",)),
    _n("硝酸", "7697-37-2", "100", "W9.1", ("硝酸（含量>70%）",), variant="含量>70%"),
    _n("发烟硝酸", "52583-42-3", "20", "W9.1", ("fuming nitric acid",)),
    _n("电石", "75-20-7", "100", "W11", ("碳化钙", "calcium carbide")),
    _n("钠", "7440-23-5", "10", "W11", ("金属钠", "sodium")),
    _n("钾", "7440-09-7", "1", "W11", ("金属钾", "potassium")),
    _n("白磷", "12185-10-3", "50", "W8", ("黄磷", "white phosphorus")),
    _n("氧", "7782-44-7", "200", "W4", ("氧气", "液氧", "压缩或液化氧", "oxygen"), lg=True),
    _n("2,4,6-三硝基甲苯", "118-96-7", "5", "W1.1", ("TNT",)),
    _n("硝化甘油", "55-63-0", "1", "W1.1", ("nitroglycerin",)),
)


def cas_valid(cas: str) -> bool:
    """A CAS registry number: 2–7 digits, 2 digits, 1 check digit (the weighted sum of the others mod 10)."""
    parts = cas.split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return False
    head, middle, check = parts
    if not (2 <= len(head) <= 7 and len(middle) == 2 and len(check) == 1):
        return False
    digits = (head + middle)[::-1]
    return sum((i + 1) * int(d) for i, d in enumerate(digits)) % 10 == int(check)


def substance_beta(cas: str, category: str) -> Decimal:
    """β of a substance: its own when it is a named toxic gas of Table 3 (by CAS), else its category's."""
    if cas and cas in TOXIC_GAS_BETA:
        return TOXIC_GAS_BETA[cas]
    return CATEGORY_BY_CODE[category].beta


def alpha_for(people: int) -> Decimal:
    """α (Table 5) for the resident population within 500 m of the plant boundary."""
    if people < 0:
        raise ValueError("people must not be negative")
    if people >= 100:
        return Decimal("2.0")
    if people >= 50:
        return Decimal("1.5")
    if people >= 30:
        return Decimal("1.2")
    if people >= 1:
        return Decimal("1.0")
    return Decimal("0.5")


def population_band(people: int) -> str:
    """The band of Table 5 the population falls in, as shown beside α."""
    if people >= 100:
        return "100人以上"
    if people >= 50:
        return "50～99人"
    if people >= 30:
        return "30～49人"
    if people >= 1:
        return "1～29人"
    return "0人"


def grade_for(r: Decimal | Fraction) -> int:
    """Grade 1–4 of a major hazard source from its R (Table 6)."""
    if r >= 100:
        return 1
    if r >= 50:
        return 2
    if r >= 10:
        return 3
    return 4


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent ("20.000" → "20", "1E+2" → "100")."""
    text = f"{value.normalize():f}"
    return "0" if text in {"-0", ""} else text


def shown(value: Decimal) -> str:
    """A value as pages and the API show it: 2 decimals, rounded half up."""
    return str(value.quantize(SHOW_PLACES, rounding=ROUND_HALF_UP))


def stored(value: Decimal) -> Decimal:
    """A value as stored (6 decimals, rounded half up)."""
    return value.quantize(STORE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TermIn:
    """One substance of a unit: its label, design maximum q (t), critical quantity Q (t) and β."""

    substance: str
    q: Decimal
    critical: Decimal
    beta: Decimal


@dataclass(frozen=True)
class Term:
    substance: str
    q: Decimal
    critical: Decimal
    beta: Decimal
    q_over_q: Decimal  # q / Q

    @property
    def weighted(self) -> Decimal:
        """β · q / Q."""
        return self.beta * self.q_over_q

    def as_dict(self) -> dict[str, str]:
        """The term as stored (JSON) and sent by the API: decimals as strings, full precision."""
        return {
            "substance": self.substance,
            "q": plain(self.q),
            "Q": plain(self.critical),
            "beta": plain(self.beta),
            "q_over_Q": plain(self.q_over_q),
        }


@dataclass(frozen=True)
class Grading:
    standard: str
    people_exposed: int
    s: Decimal
    is_major: bool
    alpha: Decimal
    r: Decimal
    grade: int | None  # None when the unit is not a major hazard source
    terms: tuple[Term, ...]
    weighted_sum: Decimal  # Σ β · q / Q


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def grade_unit(people_exposed: int, terms: Sequence[TermIn]) -> Grading:
    """S, whether major (S ≥ 1), α, R and the grade of one unit, with every term.

    Refuses (ValueError) a negative population, and a q, Q or β that is not positive.
    """
    if people_exposed < 0:
        raise ValueError("people_exposed must not be negative")
    out = []
    s = Fraction(0)
    weighted = Fraction(0)
    for t in terms:
        if t.q <= 0:
            raise ValueError(f"{t.substance}: q must be positive")
        if t.critical <= 0:
            raise ValueError(f"{t.substance}: Q must be positive")
        if t.beta <= 0:
            raise ValueError(f"{t.substance}: beta must be positive")
        ratio = Fraction(t.q) / Fraction(t.critical)
        s += ratio
        weighted += Fraction(t.beta) * ratio
        out.append(Term(t.substance, t.q, t.critical, t.beta, _decimal(ratio)))
    alpha = alpha_for(people_exposed)
    r = Fraction(alpha) * weighted
    is_major = s >= 1
    return Grading(
        standard=STANDARD_VERSION,
        people_exposed=people_exposed,
        s=_decimal(s),
        is_major=is_major,
        alpha=alpha,
        r=_decimal(r),
        grade=grade_for(r) if is_major else None,
        terms=tuple(out),
        weighted_sum=_decimal(weighted),
    )


def normalise(text: str) -> str:
    """A name as compared: spaces removed, full-width brackets as ASCII, lower case."""
    return "".join(text.split()).replace("（", "(").replace("）", ")").lower()


def find_named(text: str) -> list[NamedSubstance]:
    """Named substances whose name, label or alias is `text` (spaces, bracket width and case ignored)."""
    key = normalise(text)
    return [
        s for s in NAMED if key in {normalise(s.name), normalise(s.label), *(normalise(a) for a in s.aliases)}
    ]
