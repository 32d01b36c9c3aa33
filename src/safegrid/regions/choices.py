from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    COUNTY = "county", _("县")
    TOWN = "town", _("镇/街道")
    VILLAGE = "village", _("村/社区")


# The ten sectors of the seed's attachment, with the lead department of each.
SECTORS: list[tuple[str, str]] = [
    ("road_traffic", "道路交通"),
    ("fire", "消防"),
    ("non_coal_mine", "非煤矿山"),
    ("hazardous_chemicals", "危险化学品"),
    ("industry_trade", "工贸"),
    ("urban_public", "城市建设及公共"),
    ("building_construction", "建筑施工"),
    ("special_equipment", "特种设备"),
    ("civil_explosives", "民爆物品"),
    ("electric_power", "电力"),
]

# code, name, short name, sectors led; the first is the county safety office (all sectors).
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("safety_office", "县安全生产委员会办公室（应急管理局）", "县安委办", [c for c, _ in SECTORS]),
    ("traffic_police", "县公安局交通警察大队", "交警大队", ["road_traffic"]),
    ("transport", "县交通运输局", "交通运输局", ["road_traffic"]),
    ("fire_brigade", "县消防救援大队", "消防大队", ["fire"]),
    (
        "work_safety",
        "县安全生产监督管理局",
        "安监局",
        ["non_coal_mine", "hazardous_chemicals", "industry_trade"],
    ),
    ("housing", "县住房和城乡建设局", "住建局", ["urban_public"]),
    ("construction_admin", "县建筑业管理局", "建管局", ["building_construction"]),
    ("quality", "县质量技术监督局", "质监局", ["special_equipment"]),
    ("public_security", "县公安局", "公安局", ["civil_explosives"]),
    ("economy", "县经济和信息化局", "经信局", ["electric_power"]),
]
