"""An inspection whose report is ready for approval, built through the services: its cases
scored, submitted and agreed, the organisation standards rated, every part of the report
written (reports.demo.builders, which the demonstration data uses too)."""

from __future__ import annotations

from inspection.models import Inspection, Standard
from judgements import services as judgements
from judgements.rules import case_questions
from reports.demo.builders import ORGANISATION_NARRATIVES, score_and_agree, write_service_report


def make_report_ready(*, inspection: Inspection, cases, lead, qa) -> None:
    """Score (Yes throughout), submit and agree every case as its inspector and ``qa``, rate
    the organisation standards and write the report as ``lead``: nothing of the report's own
    is then missing for approval (other checks, such as open concerns, are the test's)."""
    questions = case_questions(inspection.framework)
    for case in cases:
        score_and_agree(
            case=case, values={}, questions=questions, inspector=case.inspector, lead=lead, qa=qa
        )
    organisation = inspection.organisations.get()
    for code, narrative in ORGANISATION_NARRATIVES.items():
        judgements.organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=Standard.objects.get(framework=inspection.framework, code=code),
            rating="Good",
            narrative=narrative,
            evidence="Interviews with leaders, managers and staff.",
            actor=lead,
        )
    write_service_report(inspection=inspection, lead=lead)
