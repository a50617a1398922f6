from django.urls import path

from . import views
from .setup import views as setup_views

app_name = "inspection"

urlpatterns = [
    path("", views.home, name="home"),
    # Before the inspection's own address: "new" is never a reference (setup/forms.py).
    path("inspections/new/", setup_views.inspection_create, name="create"),
    path("inspections/<slug:reference>/", views.inspection_detail, name="detail"),
    path("inspections/<slug:reference>/set-up/", setup_views.inspection_edit, name="edit"),
    path(
        "inspections/<slug:reference>/set-up/done/",
        setup_views.inspection_created,
        name="created",
    ),
    path("inspections/<slug:reference>/team/", setup_views.team, name="team"),
    path("inspections/<slug:reference>/team/add/", setup_views.team_add, name="team_add"),
    path("team-members/<uuid:public_id>/remove/", setup_views.team_remove, name="team_remove"),
    path(
        "inspections/<slug:reference>/stage/<slug:move>/",
        setup_views.stage_move,
        name="stage_move",
    ),
    path(
        "accessibility/",
        views.footer_page,
        {"page": "accessibility"},
        name="accessibility",
    ),
    path("privacy/", views.footer_page, {"page": "privacy"}, name="privacy"),
    path("cookies/", views.footer_page, {"page": "cookies"}, name="cookies"),
    path("help/", views.footer_page, {"page": "help"}, name="help"),
]
