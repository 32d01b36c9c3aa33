from django.db import models
from django.utils.translation import gettext_lazy as _


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("正常生产经营")
    SUSPENDED = "suspended", _("停产停业整顿")
    CLOSED = "closed", _("关闭")
    ZOMBIE = "zombie", _("僵尸企业")


class EnterpriseScale(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class ChemicalPark(models.TextChoices):
    NONE = "", _("不在化工园区")
    MAQIAO = "maqiao", _("马桥产业园")
    DONGYUE = "dongyue", _("东岳氟硅材料产业园")


class OrgUnitKind(models.TextChoices):
    COMPANY = "company", _("公司")
    WORKSHOP = "workshop", _("车间/部门")
    TEAM = "team", _("班组")
    POST = "post", _("岗位")


ORG_UNIT_CHILD_KIND = {
    OrgUnitKind.COMPANY: OrgUnitKind.WORKSHOP,
    OrgUnitKind.WORKSHOP: OrgUnitKind.TEAM,
    OrgUnitKind.TEAM: OrgUnitKind.POST,
}


class CertificateKind(models.TextChoices):
    # Special-operation certificates (特种作业操作证), REFERENCE §2.
    ELECTRICAL = "electrical", _("特种作业：高低压电工")
    WELDING = "welding", _("特种作业：焊接与热切割")
    HAZCHEM = "hazchem", _("特种作业：危险化学品")
    HEIGHT = "height", _("特种作业：高处作业")
    CRANE = "crane", _("特种作业：起重机械")
    COAL_GAS = "coal_gas", _("特种作业：煤气")
    REFRIGERATION = "refrigeration", _("特种作业：制冷与空调")
    # 三类人员 safety qualifications.
    PRINCIPAL = "principal", _("主要负责人安全资格证")
    SAFETY_MANAGER = "safety_manager", _("安全生产管理人员资格证")
    PROJECT_MANAGER = "project_manager", _("项目负责人安全生产考核合格证")
    # Enterprise licence.
    SAFETY_LICENCE = "safety_licence", _("安全生产许可证")


SPECIAL_OPERATION_KINDS = frozenset(
    {
        CertificateKind.ELECTRICAL,
        CertificateKind.WELDING,
        CertificateKind.HAZCHEM,
        CertificateKind.HEIGHT,
        CertificateKind.CRANE,
        CertificateKind.COAL_GAS,
        CertificateKind.REFRIGERATION,
    }
)
ENTERPRISE_LICENCE_KINDS = frozenset({CertificateKind.SAFETY_LICENCE})
