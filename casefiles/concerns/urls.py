from django.urls import path

from . import views

# Included in casefiles.urls (namespace "casefiles").
urlpatterns = [
    path("cases/<uuid:public_id>/concerns/new/", views.concern_raise, name="concern_raise"),
    path("inspections/<slug:reference>/concerns/", views.concern_list, name="concerns"),
    path("concerns/<uuid:public_id>/", views.concern_detail, name="concern_detail"),
    path(
        "concerns/<uuid:public_id>/acknowledge/",
        views.concern_acknowledge,
        name="concern_acknowledge",
    ),
    path("concerns/<uuid:public_id>/referral/", views.concern_referral, name="concern_referral"),
    path("concerns/<uuid:public_id>/response/", views.concern_response, name="concern_response"),
    path("concerns/<uuid:public_id>/close/", views.concern_close, name="concern_close"),
]
