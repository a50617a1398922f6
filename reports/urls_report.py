"""Pages for report (see reports/urls.py)."""

urlpatterns: list = []
