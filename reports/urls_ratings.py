"""Pages for ratings (see reports/urls.py)."""

urlpatterns: list = []
