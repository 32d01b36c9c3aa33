"""Fictional names for the demo county: people, villages, enterprises and their org structures.

Everything here is generated from syllable lists with a caller-supplied `random.Random`, so the
same seed gives the same county. No name refers to a real person or company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from safegrid.enterprises.choices import CertificateKind

# Common surnames, weighted towards those frequent in Shandong (approximate, for realism only).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 12), ("张", 10), ("李", 10), ("刘", 8), ("孙", 6), ("赵", 5), ("杨", 4), ("陈", 4),
    ("徐", 4), ("马", 3), ("高", 3), ("于", 3), ("田", 3), ("董", 3), ("崔", 2), ("边", 2),
    ("巩", 2), ("荣", 1), ("耿", 1), ("韩", 2), ("郭", 2), ("吕", 2), ("魏", 1), ("毕", 1),
    ("宋", 2), ("郑", 1), ("曹", 1), ("薛", 1), ("姜", 2), ("房", 1), ("苏", 1), ("石", 1),
)  # fmt: skip
_SURNAME_CHARS = [s for s, _ in SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in SURNAMES]

GIVEN_CHARS = (
    "建国华军伟强磊洋勇杰涛明超辉刚平鹏飞斌波宁海峰亮志文晓红丽娟敏静燕霞芳秀英玉兰凤"
    "艳萍梅莉娜丹云雪婷倩慧颖琳琪欣悦晨昊宇浩然子轩嘉怡梓涵博文泽瑞东方春秋成庆德福"
)

PHONE_PREFIX = "138"


def person_name(rng: random.Random) -> str:
    surname = rng.choices(_SURNAME_CHARS, weights=_SURNAME_WEIGHTS)[0]
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def phone(rng: random.Random) -> str:
    """A fictional mobile number, 138 followed by eight digits."""
    return PHONE_PREFIX + f"{rng.randrange(10**8):08d}"


# Village and community names: a position/feature prefix and a clan or place syllable.
VILLAGE_PREFIXES = "东西南北前后大小新老上下中"
VILLAGE_ROOTS = "王张李刘孙赵杨陈徐马高于田董崔边巩韩郭吕宋姜房苏石耿毕曹薛魏郑关庄营店桥河湖湾坞埠岭堤园"
COMMUNITY_ROOTS = ("关", "城", "苑", "园", "河", "湖", "海", "岳", "华", "泉", "桥", "兴")


def village_names(rng: random.Random, count: int, community_share: float, taken: set[str]) -> list[str]:
    """`count` distinct names such as 东王村 or 北关社区; names already in `taken` are avoided."""
    names: list[str] = []
    while len(names) < count:
        if rng.random() < community_share:
            name = rng.choice(VILLAGE_PREFIXES) + rng.choice(COMMUNITY_ROOTS) + "社区"
        else:
            root = rng.choice(VILLAGE_ROOTS)
            name = rng.choice(VILLAGE_PREFIXES) + root + ("家村" if rng.random() < 0.2 else "村")
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


BRAND_CHARS = "金鑫华泰瑞昌盛恒宏源达通润丰博凯汇嘉信德隆兴远海联力正光明誉祥和荣天宇利晟安顺永康富众诚远航"
PLACE_PREFIXES = ("桓台县", "淄博", "山东", "淄博桓台")

# Name templates per sector: the enterprise's trade name goes where {b} is.
SECTOR_NAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "hazardous_chemicals": (
        "{p}{b}化工有限公司",
        "{p}{b}化学有限公司",
        "{p}{b}新材料科技有限公司",
        "{p}{b}石化有限公司",
        "{p}{b}气体有限公司",
        "{p}{b}精细化工有限公司",
    ),
    "industry_trade": (
        "{p}{b}机械制造有限公司",
        "{p}{b}纸业有限公司",
        "{p}{b}纺织有限公司",
        "{p}{b}金属制品有限公司",
        "{p}{b}食品有限公司",
        "{p}{b}铸造有限公司",
        "{p}{b}塑料制品有限公司",
        "{p}{b}饲料有限公司",
        "{p}{b}冷链仓储有限公司",
    ),
    "fire": (
        "{p}{b}大酒店有限公司",
        "{p}{b}购物广场有限公司",
        "{p}{b}宾馆",
        "{p}{b}养老服务中心",
        "{p}{b}商贸城有限公司",
        "{p}{b}文化娱乐有限公司",
    ),
    "road_traffic": (
        "{p}{b}运输有限公司",
        "{p}{b}物流有限公司",
        "{p}{b}客运有限公司",
        "{p}{b}危险货物运输有限公司",
    ),
    "building_construction": (
        "{p}{b}建筑工程有限公司",
        "{p}{b}建设集团有限公司",
        "{p}{b}建筑安装有限公司",
    ),
    "urban_public": (
        "{p}{b}燃气有限公司",
        "{p}{b}热力有限公司",
        "{p}{b}市政工程有限公司",
        "{p}{b}园林绿化工程有限公司",
        "{p}{b}供水有限公司",
    ),
    "special_equipment": (
        "{p}{b}起重设备有限公司",
        "{p}{b}电梯工程有限公司",
        "{p}{b}锅炉有限公司",
        "{p}{b}压力容器有限公司",
    ),
    "non_coal_mine": ("{p}{b}矿业有限公司", "{p}{b}石料有限公司"),
    "civil_explosives": ("{p}{b}民爆器材有限公司", "{p}{b}爆破工程有限公司"),
    "electric_power": ("{p}{b}热电有限公司", "{p}{b}电力工程有限公司", "{p}{b}光伏发电有限公司"),
}

CHEMICAL_PARK_TEMPLATES = ("{p}{b}氟硅材料有限公司", "{p}{b}化工有限公司", "{p}{b}新材料有限公司")

INDUSTRY_BY_SECTOR: dict[str, str] = {
    "hazardous_chemicals": "化学原料和化学制品制造业",
    "industry_trade": "通用设备制造业",
    "fire": "住宿和餐饮业",
    "road_traffic": "道路运输业",
    "building_construction": "房屋建筑业",
    "urban_public": "燃气生产和供应业",
    "special_equipment": "专用设备制造业",
    "non_coal_mine": "非金属矿采选业",
    "civil_explosives": "化学原料和化学制品制造业",
    "electric_power": "电力、热力生产和供应业",
}


def enterprise_name(rng: random.Random, sector: str, in_park: bool, taken: set[str]) -> str:
    """A distinct fictional company name for the sector, e.g. 桓台县鑫泰化工有限公司."""
    templates = CHEMICAL_PARK_TEMPLATES if in_park else SECTOR_NAME_TEMPLATES[sector]
    for attempt in range(200):
        length = 2 if attempt < 20 else 3
        brand = "".join(rng.choice(BRAND_CHARS) for _ in range(length))
        if brand[0] == brand[1]:
            continue
        name = rng.choice(templates).format(p=rng.choice(PLACE_PREFIXES), b=brand)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("enterprise name space exhausted")


ROADS = ("中心大街", "建设路", "张北路", "少海路", "华沟路", "东岳路", "友谊路", "迎宾路", "工业路", "兴桓路")


def address(rng: random.Random, town: str, village: str) -> str:
    return f"山东省淄博市桓台县{town}{village}{rng.choice(ROADS)}{rng.randint(1, 399)}号"


@dataclass(frozen=True)
class PostSpec:
    name: str
    certificate: str = ""  # CertificateKind value a person on this post must hold ("" = none)
    key: bool = False


@dataclass(frozen=True)
class OrgSpec:
    workshops: tuple[str, ...]
    teams: tuple[str, ...]
    posts: tuple[PostSpec, ...]


_K = CertificateKind
_ELECTRICIAN = PostSpec("电工岗", _K.ELECTRICAL, key=True)
_WELDER = PostSpec("维修焊工岗", _K.WELDING)

ORG_SPECS: dict[str, OrgSpec] = {
    "hazardous_chemicals": OrgSpec(
        ("合成车间", "精馏车间", "罐区", "装卸站", "公用工程车间"),
        ("甲班", "乙班", "丙班", "丁班"),
        (
            PostSpec("反应釜操作岗", _K.HAZCHEM, key=True),
            PostSpec("精馏操作岗", _K.HAZCHEM, key=True),
            PostSpec("罐区巡检岗", _K.HAZCHEM),
            PostSpec("装卸岗", _K.HAZCHEM, key=True),
            PostSpec("DCS 控制岗", _K.HAZCHEM, key=True),
            _ELECTRICIAN,
            _WELDER,
        ),
    ),
    "industry_trade": OrgSpec(
        ("生产车间", "铸造车间", "机加工车间", "包装车间", "设备部", "成品库"),
        ("甲班", "乙班", "丙班"),
        (
            PostSpec("冲压岗"),
            PostSpec("熔炼浇注岗", key=True),
            PostSpec("行车操作岗", _K.CRANE, key=True),
            PostSpec("煤气发生炉岗", _K.COAL_GAS, key=True),
            PostSpec("氨制冷机房岗", _K.REFRIGERATION, key=True),
            PostSpec("有限空间作业岗", key=True),
            _ELECTRICIAN,
            _WELDER,
        ),
    ),
    "fire": OrgSpec(
        ("前厅部", "客房部", "餐饮部", "工程部", "安保部"),
        ("早班", "中班", "夜班"),
        (
            PostSpec("消防控制室值班岗", key=True),
            PostSpec("厨房岗"),
            PostSpec("保安岗"),
            PostSpec("外墙清洗岗", _K.HEIGHT),
            _ELECTRICIAN,
        ),
    ),
    "road_traffic": OrgSpec(
        ("运营部", "车队", "安全技术部", "维修车间"),
        ("第一车队", "第二车队", "危货车队"),
        (
            PostSpec("驾驶员岗", key=True),
            PostSpec("押运员岗", key=True),
            PostSpec("动态监控岗"),
            _ELECTRICIAN,
            _WELDER,
        ),
    ),
    "building_construction": OrgSpec(
        ("项目部", "工程部", "安全部", "机械设备部"),
        ("钢筋班组", "木工班组", "架子工班组", "塔吊班组"),
        (
            PostSpec("架子工岗", _K.HEIGHT, key=True),
            PostSpec("塔吊司机岗", _K.CRANE, key=True),
            PostSpec("信号司索岗", _K.CRANE),
            PostSpec("钢筋工岗"),
            _ELECTRICIAN,
            _WELDER,
        ),
    ),
    "urban_public": OrgSpec(
        ("输配气所", "调度中心", "客户服务部", "维修队"),
        ("一班", "二班", "三班"),
        (
            PostSpec("调压站值守岗", key=True),
            PostSpec("管网巡线岗"),
            PostSpec("入户安检岗"),
            _ELECTRICIAN,
            _WELDER,
        ),
    ),
    "special_equipment": OrgSpec(
        ("锅炉房", "设备部", "起重班", "安装车间"),
        ("甲班", "乙班"),
        (
            PostSpec("锅炉操作岗", key=True),
            PostSpec("起重机械操作岗", _K.CRANE, key=True),
            PostSpec("电梯维保岗"),
            _ELECTRICIAN,
            _WELDER,
        ),
    ),
    "non_coal_mine": OrgSpec(
        ("采矿车间", "破碎车间", "运输队", "机电科"),
        ("甲班", "乙班"),
        (
            PostSpec("爆破岗", key=True),
            PostSpec("铲装岗"),
            PostSpec("提升运输岗", _K.CRANE, key=True),
            PostSpec("排水岗"),
            _ELECTRICIAN,
        ),
    ),
    "civil_explosives": OrgSpec(
        ("生产车间", "成品库", "运输队"),
        ("甲班", "乙班"),
        (
            PostSpec("炸药生产岗", _K.HAZCHEM, key=True),
            PostSpec("库管岗", key=True),
            PostSpec("押运岗", key=True),
            _ELECTRICIAN,
        ),
    ),
    "electric_power": OrgSpec(
        ("运行车间", "检修车间", "燃料车间"),
        ("一值", "二值", "三值"),
        (
            PostSpec("集控运行岗", key=True),
            PostSpec("高压电工岗", _K.ELECTRICAL, key=True),
            PostSpec("检修焊工岗", _K.WELDING),
            PostSpec("输煤行车岗", _K.CRANE),
        ),
    ),
}

WORKER_TITLES = ("操作工", "班长", "技术员", "维修工", "巡检员")
