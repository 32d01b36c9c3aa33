from django.urls import include, path

from safegrid.core import health

# 400/403/404: Django's views with the product's templates (400.html, 403.html, 404.html in core/templates).
handler500 = "safegrid.core.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("safegrid.apiroot.urls")),
    path("regions/", include("safegrid.regions.urls")),
    path("enterprises/import/", include("safegrid.enterprises.import_urls")),
    path("enterprises/", include("safegrid.enterprises.urls")),
    path("risks/", include("safegrid.risks.urls")),
    path("hazards/", include("safegrid.hazards.urls")),
    path("majorhazards/", include("safegrid.majorhazards.urls")),
    path("monitoring/", include("safegrid.monitoring.urls")),
    path("jobs/", include("safegrid.jobs.urls")),
    path("notifications/", include("safegrid.notifications.urls")),
    path("", include("safegrid.core.urls")),
]
