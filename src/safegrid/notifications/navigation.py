from django.utils.translation import gettext_lazy as _

from safegrid.core.navigation import NavItem, register

register(NavItem(_("消息通知"), "notifications:list", icon="bell", group=_("系统"), order=890))
