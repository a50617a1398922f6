from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from . import jobs
        from .dashboards import signals
        from .writing import check

        jobs.register_kinds()
        check.register_checks()
        signals.connect()
