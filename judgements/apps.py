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
        # The walk-through keeps each published framework's questions (rules.case_questions).
        from django.db.models.signals import post_delete, post_save

        from inspection.models import Framework, Question, Standard

        from .rules import case_questions_forget

        for model in (Framework, Standard, Question):
            for signal in (post_save, post_delete):
                signal.connect(
                    case_questions_forget,
                    sender=model,
                    dispatch_uid=f"judgements.case_questions_forget.{model.__name__}",
                )
