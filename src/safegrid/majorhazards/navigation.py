"""Menu entries for major hazard sources (imported by core.navigation.autodiscover())."""

from django.utils.translation import gettext_lazy as _

GROUP = _("重大危险源")
