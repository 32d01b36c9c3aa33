from django.urls import include, path

app_name = "risks"
# One URL module per area so the register, filing, cards, map and Excel pages grow independently.
urlpatterns = [
    path("", include("safegrid.risks.urls_register")),
    path("filings/", include("safegrid.risks.urls_filing")),
    path("cards/", include("safegrid.risks.urls_cards")),
    path("map/", include("safegrid.risks.urls_map")),
    path("excel/", include("safegrid.risks.urls_import")),
]
