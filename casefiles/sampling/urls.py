"""Addresses of the sample pages, included into the casefiles namespace."""

from django.urls import path

from casefiles.sampling import views

urlpatterns = [
    path("inspections/<slug:reference>/sample/", views.sample_overview, name="sample"),
    path(
        "inspections/<slug:reference>/sample/population/",
        views.population_upload,
        name="sample_upload",
    ),
    path(
        "inspections/<slug:reference>/sample/population/template.csv",
        views.population_template,
        name="sample_template",
    ),
    path(
        "inspections/<slug:reference>/sample/windows/",
        views.windows_edit,
        name="sample_windows",
    ),
    path(
        "inspections/<slug:reference>/sample/size/",
        views.precision_edit,
        name="sample_precision",
    ),
    path(
        "inspections/<slug:reference>/sample/size/<slug:sample_type>/",
        views.size_override,
        name="sample_size_override",
    ),
    path("inspections/<slug:reference>/sample/draw/", views.sample_draw, name="sample_draw"),
    path(
        "sample/cases/<uuid:public_id>/replace/",
        views.drawn_case_replace,
        name="sample_replace",
    ),
]
