"""Building finished inspections for the demonstration data: cases scored, quality-assured and
agreed, organisation ratings, the report written, approved and published.

Every judgement and every line of the report goes through the services that the pages use
(judgements.services, reports.writing.services), so the demonstration data carries the same
audit trail, tallies and checks as work done on the site. Only the stage moves at the end
(approval and publication) are set on the inspection directly: they record a finished
inspection, not a step someone takes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

from casefiles.models import Case
from inspection.models import Domain, Inspection, Standard
from judgements import services as judgements
from judgements.rules import applicable_questions, case_questions
from reports.demo.seed004 import (
    SEED004_ORGANISATION_RATINGS,
    seed004_answers,
)
from reports.writing import services as writing

SAMPLE_TYPE = {"2": "court_disposal", "3": "out_of_court"}

NOTES = {
    "yes": "{reference}: done well; the record and the interview agree.",
    "no": "{reference}: not done well enough; see the case record and the interview notes.",
    "na": "{reference}: does not apply to this case.",
}


def _note(reference: str, value: str) -> str:
    return NOTES[value].format(reference=reference)


def score_and_agree(
    *,
    case: Case,
    values: dict[str, str],
    questions,
    inspector,
    lead,
    qa,
    default: str = "yes",
) -> Case:
    """Answer a case as its inspector (key questions as given, anything else ``default``),
    submit it, select it for quality assurance and agree it as quality assurance."""
    inputs = [
        judgements.AnswerInput(
            question=question,
            value=values.get(question.code, default),
            note=_note(case.reference, values.get(question.code, default)),
        )
        for question in applicable_questions(case, questions)
    ]
    judgements.answers_record(case=case, answers=inputs, actor=inspector)
    judgements.case_submit(case=case, actor=inspector)
    judgements.qa_select(case=case, selected=True, actor=lead)
    return judgements.case_agree(
        case=case, moderator=qa, feedback="Judgements agreed; evidence notes are clear."
    )


def seed004_cases(
    *,
    inspection: Inspection,
    make_case: Callable[[str, str, int], Case],
    inspectors: list,
    lead,
    qa,
) -> list[Case]:
    """Seed 004's 50 cases (31 court, 19 out-of-court disposals), scored as the published
    figures need (reports.demo.seed004), submitted and agreed, and the lead's ratings of the
    four organisation standards.

    ``make_case(reference, sample_type, index)`` creates a case with its file; the cases are
    given to ``inspectors`` in turn, and the lead assigns them (audited).
    """
    by_case: dict[str, dict[str, str]] = defaultdict(dict)
    for fact in seed004_answers():
        by_case[fact.case_id][fact.question_code] = fact.value
    questions = case_questions(inspection.framework)
    cases = []
    for index, (reference, values) in enumerate(by_case.items()):
        case = make_case(reference, SAMPLE_TYPE[next(iter(values))[0]], index)
        inspector = inspectors[index % len(inspectors)]
        judgements.case_assign(case=case, inspector=inspector, actor=lead)
        case.refresh_from_db()
        cases.append(
            score_and_agree(
                case=case,
                values=values,
                questions=questions,
                inspector=inspector,
                lead=lead,
                qa=qa,
            )
        )
    organisation = inspection.organisations.get()
    for code, rating in SEED004_ORGANISATION_RATINGS.items():
        judgements.organisation_rating_record(
            inspection=inspection,
            organisation=organisation,
            standard=Standard.objects.get(framework=inspection.framework, code=code),
            rating=rating,
            narrative=ORGANISATION_NARRATIVES[code],
            evidence="Interviews with leaders, managers, staff and partners; documents; "
            "a survey of staff.",
            actor=lead,
        )
    return cases


def score_thematic(*, inspection: Inspection, lead, qa, seed: int) -> int:
    """Score every unscored case of a thematic inspection, as its assigned inspector, with
    seeded answers that differ by organisation (so the comparison tables have something to
    compare), and agree them. Returns how many cases were scored."""
    rng = random.Random(seed)  # noqa: S311 - fixed demonstration data, not a secret
    questions = case_questions(inspection.framework)
    organisations = list(inspection.organisations.order_by("slug"))
    # Each organisation does well in a different share of cases.
    shares = {o.pk: 0.45 + 0.15 * (i % 3) for i, o in enumerate(organisations)}
    scored = 0
    cases = Case.objects.filter(inspection=inspection, status=Case.Status.NOT_STARTED)
    for case in cases.select_related("inspector", "organisation").order_by("reference"):
        if case.inspector is None:
            continue
        values = {}
        for question in applicable_questions(case, questions):
            draw = rng.random()
            values[question.code] = (
                "na" if draw > 0.92 else "yes" if draw < shares[case.organisation_id] else "no"
            )
        score_and_agree(
            case=case,
            values=values,
            questions=questions,
            inspector=case.inspector,
            lead=lead,
            qa=qa,
        )
        scored += 1
    return scored


# The report --------------------------------------------------------------------------------

ORGANISATION_NARRATIVES = {
    "1.1": "Governance and leadership of the service is strong. Oversight arrangements align "
    "the service's priorities with those of the wider partnership, and board members hold "
    "the service manager to account.",
    "1.2": "Case management has been affected by staffing difficulties which, although "
    "appropriately managed, have been difficult to resolve. Staff skills are developing and "
    "the management team has built a positive culture.",
    "1.3": "Health provision and work with the police are effective, but children's access to "
    "statutory education and integrated work with children's social care need to improve.",
    "1.4": "Policies and guidance are in place, the delivery environments meet children's needs "
    "and analysis is used to drive improvement.",
}

FOREWORD = (
    "This is a report of a joint inspection of youth offending services, in which inspectors "
    "from the partner inspectorates joined us in the second fieldwork week to assess the "
    "partnership arrangements.\n\n"
    "We found a service and partners with clear strengths, and staff, leaders and a "
    "management board committed to an established plan of improvement. Nonetheless the "
    "service must improve its work with children who find it difficult to stop offending, "
    "who are often vulnerable and who can pose a risk to the public.\n\n"
    "Planning to keep children safe was the weakest part of the work we inspected: too "
    "often it was unclear who, between the service and children's social care, was doing "
    "what. The recommendations in this report are designed to help the service build on its "
    "strengths and focus on what must improve."
)

DOMAIN_FINDINGS = {
    "1": "Governance and leadership are strong.\n"
    "Staffing difficulties have affected case management.\n"
    "Access to education and joint work with children's social care need to improve.",
    "2": "Assessments of desistance are better than those of safety and risk of harm.\n"
    "Planning to keep children safe is inadequate.\n"
    "Work to reduce risks to others is better than work to keep children safe.",
    "3": "Assessments do not pay enough attention to desistance.\n"
    "A simple local planning document helps case managers focus their work.\n"
    "Joint work with the police on out-of-court disposals is good.",
}

RECOMMENDATIONS = [
    (
        "Barking and Dagenham YOS",
        "Make sure that all children who come into contact with the service receive their "
        "statutory entitlement to education, matched to their needs and interests.",
    ),
    (
        "Barking and Dagenham YOS",
        "Produce effective plans to support desistance, keep children safe and manage the "
        "risk of harm to others.",
    ),
    (
        "Barking and Dagenham YOS",
        "Consider the wishes and needs of victims to inform the management of each case.",
    ),
    (
        "The Director of Children's Services",
        "Make sure that thresholds for access to services for children and families are "
        "understood and applied by children's social care.",
    ),
    (
        "The Youth Justice Board",
        "Help the service and its partners to identify and respond to 'county lines', and "
        "resolve the difficulties of a local approach to a national problem.",
    ),
]

KEY_FACTS = [
    ("Population of the area (2017)", "210,711", "", "Office for National Statistics"),
    ("Children aged 10-17 from minority ethnic backgrounds", "40%", "", "Census"),
    ("Cases inspected", "50", "31 court and 19 out-of-court disposals", "This inspection"),
]


def write_service_report(*, inspection: Inspection, lead) -> None:
    """Every section of a service report, written through the report services by the lead."""
    writing.report_foreword_save(inspection=inspection, foreword=FOREWORD, actor=lead)
    for domain in Domain.objects.filter(framework=inspection.framework):
        writing.domain_findings_save(
            inspection=inspection,
            domain=domain,
            key_findings=DOMAIN_FINDINGS.get(domain.code, f"Findings on {domain.title}."),
            actor=lead,
        )
    for standard in Standard.objects.filter(framework=inspection.framework):
        writing.standard_text_save(
            inspection=inspection,
            standard=standard,
            narrative=ORGANISATION_NARRATIVES.get(
                standard.code,
                f"We inspected {standard.title.lower()} in the cases of the sample. The "
                "figures in the annex show how often the work met the standard; the "
                "strengths and areas for improvement below are what drove them.",
            ),
            strengths="Good relationships between case managers and children.\n"
            "A clear focus on desistance.",
            areas_for_improvement="Planning to keep children safe.\n"
            "Joint work with children's social care.",
            actor=lead,
        )
    for body, text in RECOMMENDATIONS:
        writing.recommendation_save(inspection=inspection, addressed_to=body, text=text, actor=lead)
    for label, value, comparison, source in KEY_FACTS:
        writing.key_fact_save(
            inspection=inspection,
            label=label,
            value=value,
            comparison=comparison,
            source=source,
            actor=lead,
        )


def write_thematic_report(*, inspection: Inspection, lead) -> None:
    """A thematic's foreword, findings by domain, narratives and recommendations."""
    writing.report_foreword_save(
        inspection=inspection,
        foreword="This thematic inspection looked at how probation trusts and youth offending "
        "teams protect children, comparing the work of the services we visited.",
        actor=lead,
    )
    for domain in Domain.objects.filter(framework=inspection.framework):
        writing.domain_findings_save(
            inspection=inspection,
            domain=domain,
            key_findings=f"What we found about {domain.title.lower()} differed between "
            "the services we visited.",
            actor=lead,
        )
    writing.recommendation_save(
        inspection=inspection,
        addressed_to="Probation trusts and youth offending teams",
        text="Make sure every referral to children's social care says what response is wanted.",
        actor=lead,
    )


def stage_set(*, inspection: Inspection, status: str) -> None:
    """Move a demonstration inspection on to a stage (its work up to there is done)."""
    inspection.status = status
    inspection.save(update_fields=["status"])


def approve_and_publish(*, inspection: Inspection, approver, approved_at, published_at) -> None:
    """Record a finished inspection: approved by someone other than the lead, published."""
    inspection.status = Inspection.Status.PUBLISHED
    inspection.approved_by = approver
    inspection.approved_at = approved_at
    inspection.published_at = published_at
    inspection.save(update_fields=["status", "approved_by", "approved_at", "published_at"])
