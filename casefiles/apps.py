from django.apps import AppConfig


class CasefilesConfig(AppConfig):
    name = "casefiles"

    def ready(self):
        from inspection.hooks import register_panel

        from . import jobs, panels

        register_panel("inspection_summary", "casefiles.case_counts", panels.case_counts_row)
        register_panel("inspection_main", "casefiles.samples", panels.samples)
        jobs.register_kinds()
        register_panel("home", "casefiles.interviews", panels.interviews_link)
