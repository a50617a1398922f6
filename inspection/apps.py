from django.apps import AppConfig


class InspectionConfig(AppConfig):
    name = "inspection"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from .middleware import remember_sign_in_time

        user_logged_in.connect(remember_sign_in_time, dispatch_uid="remember_sign_in_time")

        from .converters import CodeConverter

        # <code:...> in the addresses of steps, standards, key questions and domains.
        register_converter(CodeConverter, "code")
