from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    COUNTY_OFFICER = "county_officer", _("县安委办/应急局")
    DEPT_OFFICER = "dept_officer", _("行业主管部门")
    TOWN_OFFICER = "town_officer", _("镇街工作人员")
    GRID_WORKER = "grid_worker", _("网格员")
    LEGAL_REP = "legal_rep", _("法定代表人/主要负责人")
    ENT_ADMIN = "ent_admin", _("企业管理员")
    SAFETY_MANAGER = "safety_manager", _("企业安全管理员")
    UNIT_USER = "unit_user", _("车间/班组/岗位人员")
    EXPERT = "expert", _("专家/服务机构")


COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_OFFICER})
ENTERPRISE_ROLES = frozenset({Role.LEGAL_REP, Role.ENT_ADMIN, Role.SAFETY_MANAGER})
GOVERNMENT_ROLES = frozenset({*COUNTY_ROLES, Role.DEPT_OFFICER, Role.TOWN_OFFICER, Role.GRID_WORKER})


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    IMPORT = "import", _("导入")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    TOKEN = "token", _("令牌")
