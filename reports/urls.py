"""The reports app's pages, one module each: ratings, the written report, exchange, dashboards."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.ratings.urls")),
    path("", include("reports.writing.urls")),
    path("", include("reports.exchange.urls")),
    path("", include("reports.dashboards.urls")),
]
