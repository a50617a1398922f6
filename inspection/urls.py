from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("", views.home, name="home"),
    path("inspections/<slug:reference>/", views.inspection_detail, name="detail"),
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
