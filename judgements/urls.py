from django.urls import path

from . import views
from .views import double_reading

app_name = "judgements"

urlpatterns = [
    path("my-cases/", views.queue, name="queue"),
    path("cases/<uuid:public_id>/judgements/", views.case_summary, name="case_summary"),
    path("cases/<uuid:public_id>/judgements/continue/", views.resume, name="resume"),
    path("cases/<uuid:public_id>/judgements/check/", views.check, name="check"),
    path("cases/<uuid:public_id>/judgements/submit/", views.submit, name="submit"),
    path("cases/<uuid:public_id>/judgements/submitted/", views.submitted, name="submitted"),
    path("cases/<uuid:public_id>/steps/<code:code>/", views.step, name="step"),
    path("cases/<uuid:public_id>/steps/<code:code>/autosave/", views.autosave, name="autosave"),
    path(
        "cases/<uuid:public_id>/steps/<code:code>/not-applicable/",
        views.rest_not_applicable,
        name="rest_not_applicable",
    ),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("cases/<uuid:public_id>/quality-assurance/", views.moderate, name="moderate"),
    path("cases/<uuid:public_id>/reopen/", views.reopen, name="reopen"),
    path("cases/<uuid:public_id>/history/", views.history, name="history"),
    path("inspections/<slug:reference>/assign/", views.assign, name="assign"),
    # Blind double scoring (judgements.views.double_reading).
    path(
        "inspections/<slug:reference>/second-readings/",
        double_reading.second_readings,
        name="second_readings",
    ),
    path(
        "cases/<uuid:public_id>/second-reading/",
        double_reading.second_summary,
        name="second_summary",
    ),
    path(
        "cases/<uuid:public_id>/second-reading/steps/<code:code>/",
        double_reading.second_step,
        name="second_step",
    ),
    path("cases/<uuid:public_id>/reconcile/", double_reading.reconcile, name="reconcile"),
    path(
        "inspections/<slug:reference>/agreement/",
        double_reading.agreement_page,
        name="agreement",
    ),
    path(
        "inspections/<slug:reference>/agreement.csv",
        double_reading.agreement_csv,
        name="agreement_csv",
    ),
    path("inspections/<slug:reference>/quality-assurance/", views.qa_list, name="qa_list"),
    path(
        "inspections/<slug:reference>/organisation-ratings/",
        views.organisation_ratings,
        name="organisation_ratings",
    ),
    path(
        "inspections/<slug:reference>/organisation-ratings/<slug:organisation>/<code:code>/",
        views.organisation_rating_edit,
        name="organisation_rating_edit",
    ),
]
