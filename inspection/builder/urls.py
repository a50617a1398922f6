from django.urls import path

from . import views

app_name = "frameworks"

urlpatterns = [
    path("", views.framework_list, name="list"),
    path("new/", views.framework_start, name="start"),
    path("import/", views.framework_import, name="import"),
    path("compare/", views.framework_compare_page, name="compare"),
    path("<slug:slug>/<str:version>/", views.framework_detail, name="detail"),
    path("<slug:slug>/<str:version>/details/", views.framework_details, name="details"),
    path("<slug:slug>/<str:version>/publish/", views.framework_publish, name="publish"),
    path("<slug:slug>/<str:version>/export.json", views.framework_export, name="export"),
    path(
        "<slug:slug>/<str:version>/steps/<str:code>/preview/",
        views.step_preview,
        name="preview",
    ),
    path("<slug:slug>/<str:version>/<str:kind>/new/", views.item_add, name="add"),
    path("<slug:slug>/<str:version>/<str:kind>/<str:code>/", views.item_edit, name="edit"),
    path("<slug:slug>/<str:version>/<str:kind>/<str:code>/move/", views.item_move, name="move"),
    path(
        "<slug:slug>/<str:version>/<str:kind>/<str:code>/remove/",
        views.item_remove,
        name="remove",
    ),
]
