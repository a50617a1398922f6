from django.urls import include, path

from . import views

app_name = "casefiles"

urlpatterns = [
    path("inspections/<slug:reference>/cases/", views.case_list, name="list"),
    path("", include("casefiles.sampling.urls")),
    path("", include("casefiles.concerns.urls")),
    path("inspections/<slug:reference>/cases/add/", views.case_create, name="create"),
    path("my-interviews/", views.interviews, name="interviews"),
    path("cases/<uuid:public_id>/", views.case_detail, name="detail"),
    path("cases/<uuid:public_id>/edit/", views.case_edit, name="edit"),
    path("cases/<uuid:public_id>/<slug:part>/add/", views.part_edit, name="part_add"),
    path("cases/<uuid:public_id>/<slug:part>/<uuid:part_id>/", views.part_edit, name="part_edit"),
    path(
        "cases/<uuid:public_id>/<slug:part>/<uuid:part_id>/remove/",
        views.part_delete,
        name="part_delete",
    ),
]
