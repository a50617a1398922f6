"""Pages for dashboards (see reports/urls.py)."""

from django.urls import path

from reports.dashboards import views

urlpatterns = [
    path("dashboards/", views.national, name="dashboards"),
    path("dashboards/questions/<code:code>/", views.question, name="dashboard_question"),
    path("dashboards/referrals/", views.referrals, name="dashboard_referrals"),
    path(
        "dashboards/organisations/<slug:slug>/",
        views.organisation,
        name="dashboard_organisation",
    ),
    path("dashboards/areas/<slug:slug>/", views.area, name="dashboard_area"),
    path(
        "dashboards/inspections/<slug:reference>/<slug:organisation>/cases/",
        views.cases,
        name="dashboard_cases",
    ),
]
