"""Pages for exchange (see reports/urls.py)."""

urlpatterns: list = []
