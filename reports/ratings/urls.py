"""Pages for ratings (see reports/urls.py)."""

from django.urls import path

from reports.ratings import views as views_ratings

urlpatterns = [
    path("inspections/<slug:reference>/ratings/", views_ratings.ratings, name="ratings"),
    path(
        "inspections/<slug:reference>/ratings/tables/",
        views_ratings.thematic,
        name="ratings_tables",
    ),
    path(
        "inspections/<slug:reference>/ratings/standards/<code:code>/",
        views_ratings.standard,
        name="ratings_standard",
    ),
]
