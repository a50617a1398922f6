from django.apps import AppConfig


class CasefilesConfig(AppConfig):
    name = "casefiles"

    def ready(self):
        from inspection.hooks import register_panel
        from inspection.readiness import register_check

        from . import jobs, panels
        from .concerns import panels as concern_panels
        from .concerns.selectors import open_concerns_missing

        register_panel("inspection_summary", "casefiles.case_counts", panels.case_counts_row)
        register_panel("inspection_main", "casefiles.samples", panels.samples)
        jobs.register_kinds()
        register_panel("home", "casefiles.interviews", panels.interviews_link)
        register_panel("inspection_main", "casefiles.concerns", concern_panels.open_concerns)
        # Approval and publication wait until every safeguarding concern is closed.
        register_check("casefiles.open_concerns", open_concerns_missing)
