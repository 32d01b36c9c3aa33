"""Global (un-namespaced) routes of the shell: home, sign-in/out, search, audit trail.

This module also builds the navigation menu: it registers the shell's own entries and imports
every installed app's `navigation` module (`navigation.autodiscover()`). The root URLconf imports
this module before any request is resolved or any page rendered, so the menu is complete by the
time a template asks for it.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import navigation, views, views_webapp
from .navigation import NavItem

navigation.register(
    NavItem(_("首页"), "home", icon="home", order=0),
    NavItem(
        _("审计日志"),
        "audit_list",
        icon="history",
        group=_("系统"),
        order=900,
        visible=lambda scope: scope.is_government or bool(scope.enterprise_ids),
    ),
)
navigation.autodiscover()

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("search/", views.search, name="search"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    # The installable web app: manifest, the service worker at the root (its scope is the whole site).
    path("manifest.webmanifest", views_webapp.manifest_view, name="webapp_manifest"),
    path("sw.js", views_webapp.service_worker_view, name="webapp_sw"),
    path("offline/", views_webapp.offline_view, name="webapp_offline"),
]
