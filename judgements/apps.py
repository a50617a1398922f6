from django.apps import AppConfig


class JudgementsConfig(AppConfig):
    name = "judgements"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from casefiles.signals import case_details_changed, case_file_opened
        from inspection.hooks import register_panel

        from . import context_processors, receivers

        case_file_opened.connect(
            receivers.record_case_file_read, dispatch_uid="judgements.record_case_file_read"
        )
        case_details_changed.connect(
            receivers.move_case_tallies, dispatch_uid="judgements.move_case_tallies"
        )
        register_panel("home", "judgements.cases_to_score", receivers.cases_to_score)
        from inspection.readiness import register_check

        register_check("judgements.second_readings", receivers.second_readings_reconciled)
        user_logged_in.connect(
            context_processors.has_cases_on_sign_in, dispatch_uid="judgements.has_cases"
        )
