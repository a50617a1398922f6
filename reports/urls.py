"""The reports app's pages, one module each: ratings, the written report, exchange, dashboards."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.urls_ratings")),
    path("", include("reports.urls_report")),
    path("", include("reports.urls_exchange")),
    path("", include("reports.urls_dashboards")),
]
