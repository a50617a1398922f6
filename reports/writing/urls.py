"""Pages for writing, checking, previewing and downloading the report (see reports/urls.py)."""

from django.urls import path

from reports.writing import views

PREFIX = "inspections/<slug:reference>/report/"

urlpatterns: list = [
    path(PREFIX, views.report, name="report"),
    path(PREFIX + "foreword/", views.foreword, name="report_foreword"),
    path(PREFIX + "key-findings/<code:domain>/", views.findings, name="report_findings"),
    path(PREFIX + "standards/<code:code>/", views.standard, name="report_standard"),
    path(PREFIX + "check/", views.check, name="report_check"),
    path(PREFIX + "preview/", views.preview, name="report_preview"),
    path(PREFIX + "pdf/", views.pdf, name="report_pdf"),
    path(PREFIX + "<slug:kind>/add/", views.item_edit, name="report_item_add"),
    path(PREFIX + "<slug:kind>/<uuid:public_id>/", views.item_edit, name="report_item_edit"),
    path(
        PREFIX + "<slug:kind>/<uuid:public_id>/remove/",
        views.item_remove,
        name="report_item_remove",
    ),
]
