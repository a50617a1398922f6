from django.urls import path

from . import views

app_name = "judgements"

urlpatterns = [
    path("my-cases/", views.queue, name="queue"),
    path("cases/<uuid:public_id>/judgements/", views.case_summary, name="case_summary"),
    path("cases/<uuid:public_id>/history/", views.history, name="history"),
]
