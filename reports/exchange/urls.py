"""Pages for exchange (see reports/urls.py)."""

from django.urls import path

from reports.exchange import views as views_exchange

urlpatterns = [
    path("inspections/<slug:reference>/export/", views_exchange.exchange, name="exchange"),
    path(
        "inspections/<slug:reference>/export/answers.csv",
        views_exchange.answers_csv,
        name="answers_csv",
    ),
    path(
        "inspections/<slug:reference>/export/answers.xlsx",
        views_exchange.answers_excel,
        name="answers_xlsx",
    ),
    path(
        "inspections/<slug:reference>/export/inspection.json",
        views_exchange.inspection_file,
        name="inspection_json",
    ),
    path(
        "inspections/<slug:reference>/case-data/delete/",
        views_exchange.case_data_delete,
        name="case_data_delete",
    ),
]
