"""Menu entry for background jobs (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register

register(NavItem(_("后台任务"), "jobs:list", icon="hourglass", group=_("系统"), order=900))
