"""Pages for dashboards (see reports/urls.py)."""

urlpatterns: list = []
