from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "inspection"

    def ready(self):
        from django.urls import register_converter

        from .converters import CodeConverter

        # <code:...> in the addresses of steps, standards, key questions and domains.
        register_converter(CodeConverter, "code")
