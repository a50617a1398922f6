"""Seed 004 (Barking and Dagenham YOS, 2018) as rating-engine inputs.

The published report gives each key question's "% yes" as a whole number and each standard's
rating (Annex 2), but not the counts behind them. The counts here are chosen so that

* every percent rounds (half up) to the published figure, over at most the 31 court-disposal
  cases (2.x) or 19 out-of-court cases (3.x) examined (Annex 1), using Not applicable answers
  where the published figure needs a smaller denominator; and
* every unrounded percent lies in the same band as the published figure (3.2.2 is 64%, so it
  must stay below 65; 2.2.1 is 80%, exactly 24 of 30, to sit on the Outstanding edge).

Used by the demonstration data (``seed_demo`` builds a published inspection from it:
``reports.demo.builders``) and by the rating-engine tests (through tests/support/seed004.py).
"""

from __future__ import annotations

from reports.ratings.engine import AnswerFact, KeyQuestionDef, StandardDef

ORGANISATION = "Barking and Dagenham YOS"
COURT_CASES = 31
OUT_OF_COURT_CASES = 19


def _standard(
    code: str, title: str, judged_by: str, questions: tuple[tuple[str, str], ...]
) -> StandardDef:
    return StandardDef(
        code=code,
        title=title,
        judged_by=judged_by,  # type: ignore[arg-type]
        key_questions=tuple(KeyQuestionDef(c, text) for c, text in questions),
    )


_CYP = "the child or young person"

#: The twelve standards of the 2018 framework, key question texts as quoted in Annex 2.
SEED004_STANDARDS: tuple[StandardDef, ...] = (
    _standard(
        "1.1",
        "Governance and leadership",
        "organisation",
        (
            (
                "1.1.1",
                "Is there a clear local vision and strategy for the delivery of a high-quality, "
                "personalised and responsive service for all children and young people?",
            ),
            (
                "1.1.2",
                "Do the partnership arrangements actively support effective service delivery?",
            ),
            ("1.1.3", "Does the leadership of the YOS support effective service delivery?"),
        ),
    ),
    _standard(
        "1.2",
        "Staff",
        "organisation",
        (
            (
                "1.2.1",
                "Do staffing and workload levels support the delivery of a high-quality, "
                "personalised and responsive service for all children and young people?",
            ),
            (
                "1.2.2",
                "Do the skills of YOS staff support the delivery of a high-quality, personalised "
                "and responsive service for all children and young people?",
            ),
            (
                "1.2.3",
                "Does the oversight of work support high-quality delivery and professional "
                "development?",
            ),
            (
                "1.2.4",
                "Are arrangements for learning and development comprehensive and responsive?",
            ),
        ),
    ),
    _standard(
        "1.3",
        "Partnerships and services",
        "organisation",
        (
            (
                "1.3.1",
                "Is there a sufficiently comprehensive and up-to-date analysis of the profile of "
                "children and young people, to ensure that the YOS can deliver well-targeted "
                "services?",
            ),
            (
                "1.3.2",
                "Does the YOS partnership have access to the volume, range and quality of "
                "services and interventions to meet the needs of all children and young people?",
            ),
            (
                "1.3.3",
                "Are arrangements with statutory partners, providers and other agencies "
                "established, maintained and used effectively to deliver high-quality services?",
            ),
        ),
    ),
    _standard(
        "1.4",
        "Information and facilities",
        "organisation",
        (
            (
                "1.4.1",
                "Are the necessary policies and guidance in place to enable staff to deliver a "
                "quality service, meeting the needs of all children and young people?",
            ),
            (
                "1.4.2",
                "Does the YOS's delivery environment(s) meet the needs of all children and young "
                "people and enable staff to deliver a quality service?",
            ),
            (
                "1.4.3",
                "Do the information and communication technology (ICT) systems enable staff to "
                "deliver a quality service, meeting the needs of all children and young people?",
            ),
            ("1.4.4", "Is analysis, evidence and learning used effectively to drive improvement?"),
        ),
    ),
    _standard(
        "2.1",
        "Assessment",
        "cases",
        (
            ("2.1.1", f"Does assessment sufficiently analyse how to support {_CYP}'s desistance?"),
            ("2.1.2", f"Does assessment sufficiently analyse how to keep {_CYP} safe?"),
            ("2.1.3", "Does assessment sufficiently analyse how to keep other people safe?"),
        ),
    ),
    _standard(
        "2.2",
        "Planning",
        "cases",
        (
            ("2.2.1", f"Does planning focus sufficiently on supporting {_CYP}'s desistance?"),
            ("2.2.2", f"Does planning focus sufficiently on keeping {_CYP} safe?"),
            ("2.2.3", "Does planning focus sufficiently on keeping other people safe?"),
        ),
    ),
    _standard(
        "2.3",
        "Implementation and delivery",
        "cases",
        (
            (
                "2.3.1",
                "Does the implementation and delivery of services effectively support "
                f"{_CYP}'s desistance?",
            ),
            (
                "2.3.2",
                "Does the implementation and delivery of services effectively support the safety "
                f"of {_CYP}?",
            ),
            (
                "2.3.3",
                "Does the implementation and delivery of services effectively support the safety "
                "of other people?",
            ),
        ),
    ),
    _standard(
        "2.4",
        "Reviewing",
        "cases",
        (
            ("2.4.1", f"Does reviewing focus sufficiently on supporting {_CYP}'s desistance?"),
            ("2.4.2", f"Does reviewing focus sufficiently on keeping {_CYP} safe?"),
            ("2.4.3", "Does reviewing focus sufficiently on keeping other people safe?"),
        ),
    ),
    _standard(
        "3.1",
        "Assessment",
        "cases",
        (
            ("3.1.1", f"Does assessment sufficiently analyse how to support {_CYP}'s desistance?"),
            ("3.1.2", f"Does assessment sufficiently analyse how to keep {_CYP} safe?"),
            ("3.1.3", "Does assessment sufficiently analyse how to keep other people safe?"),
        ),
    ),
    _standard(
        "3.2",
        "Planning",
        "cases",
        (
            ("3.2.1", f"Does planning focus sufficiently on supporting {_CYP}'s desistance?"),
            ("3.2.2", f"Does planning focus sufficiently on keeping {_CYP} safe?"),
            ("3.2.3", "Does planning focus sufficiently on keeping other people safe?"),
        ),
    ),
    _standard(
        "3.3",
        "Implementation and delivery",
        "cases",
        (
            (
                "3.3.1",
                "Does the implementation and delivery of services effectively support "
                f"{_CYP}'s desistance?",
            ),
            (
                "3.3.2",
                "Does the implementation and delivery of services effectively support the safety "
                f"of {_CYP}?",
            ),
            (
                "3.3.3",
                "Does the implementation and delivery of services effectively support the safety "
                "of other people?",
            ),
        ),
    ),
    _standard(
        "3.4",
        "Joint working",
        "cases",
        (
            (
                "3.4.1",
                "Are the YOT's recommendations sufficiently well-informed, analytical and "
                f"personalised to {_CYP}, supporting joint decision-making?",
            ),
            (
                "3.4.2",
                "Does the YOT work effectively with the police in implementing the out-of-court "
                "disposal?",
            ),
        ),
    ),
)

#: Standards 1.x are rated by the lead inspector from interviews and documents (Annex 2).
SEED004_ORGANISATION_RATINGS: dict[str, str] = {
    "1.1": "Good",
    "1.2": "Requires improvement",
    "1.3": "Requires improvement",
    "1.4": "Good",
}

#: Annex 2 "% yes", exactly as published.
SEED004_PERCENTS: dict[str, int] = {
    "2.1.1": 84,
    "2.1.2": 63,
    "2.1.3": 57,
    "2.2.1": 80,
    "2.2.2": 48,
    "2.2.3": 62,
    "2.3.1": 62,
    "2.3.2": 55,
    "2.3.3": 65,
    "2.4.1": 62,
    "2.4.2": 58,
    "2.4.3": 56,
    "3.1.1": 58,
    "3.1.2": 74,
    "3.1.3": 68,
    "3.2.1": 89,
    "3.2.2": 64,
    "3.2.3": 71,
    "3.3.1": 89,
    "3.3.2": 83,
    "3.3.3": 63,
    "3.4.1": 76,
    "3.4.2": 78,
}

#: Annex 2 ratings of every standard, and the overall rating (score 14 of 12 standards).
SEED004_RATINGS: dict[str, str] = {
    **SEED004_ORGANISATION_RATINGS,
    "2.1": "Requires improvement",
    "2.2": "Inadequate",
    "2.3": "Requires improvement",
    "2.4": "Requires improvement",
    "3.1": "Requires improvement",
    "3.2": "Requires improvement",
    "3.3": "Requires improvement",
    "3.4": "Good",
}
SEED004_OVERALL_SCORE = 14
SEED004_OVERALL_RATING = "Requires improvement"

#: Chosen counts per key question: (yes, no, not applicable); each row sums to the sample.
SEED004_COUNTS: dict[str, tuple[int, int, int]] = {
    # court disposals, 31 cases
    "2.1.1": (26, 5, 0),  # 26/31 = 83.9% -> 84%
    "2.1.2": (19, 11, 1),  # 19/30 = 63.3% -> 63%
    "2.1.3": (17, 13, 1),  # 17/30 = 56.7% -> 57%
    "2.2.1": (24, 6, 1),  # 24/30 = 80.0% -> 80% (on the Outstanding edge)
    "2.2.2": (15, 16, 0),  # 15/31 = 48.4% -> 48%
    "2.2.3": (18, 11, 2),  # 18/29 = 62.1% -> 62%
    "2.3.1": (18, 11, 2),  # 18/29 = 62.1% -> 62%
    "2.3.2": (17, 14, 0),  # 17/31 = 54.8% -> 55%
    "2.3.3": (17, 9, 5),  # 17/26 = 65.4% -> 65% (Good: the only choice with 24-31 applicable)
    "2.4.1": (18, 11, 2),  # 18/29 = 62.1% -> 62%
    "2.4.2": (18, 13, 0),  # 18/31 = 58.1% -> 58%
    "2.4.3": (15, 12, 4),  # 15/27 = 55.6% -> 56%
    # out-of-court disposals, 19 cases
    "3.1.1": (11, 8, 0),  # 11/19 = 57.9% -> 58%
    "3.1.2": (14, 5, 0),  # 14/19 = 73.7% -> 74%
    "3.1.3": (13, 6, 0),  # 13/19 = 68.4% -> 68%
    "3.2.1": (17, 2, 0),  # 17/19 = 89.5% -> 89%
    "3.2.2": (9, 5, 5),  # 9/14 = 64.3% -> 64% (below 65: Requires improvement)
    "3.2.3": (12, 5, 2),  # 12/17 = 70.6% -> 71%
    "3.3.1": (17, 2, 0),  # 17/19 = 89.5% -> 89%
    "3.3.2": (15, 3, 1),  # 15/18 = 83.3% -> 83%
    "3.3.3": (12, 7, 0),  # 12/19 = 63.2% -> 63%
    "3.4.1": (13, 4, 2),  # 13/17 = 76.5% -> 76%
    "3.4.2": (14, 4, 1),  # 14/18 = 77.8% -> 78%
}


def seed004_case_ids(domain: str) -> list[str]:
    """Case ids of a domain's sample: "BD-C01".."BD-C31" (court), "BD-O01".."BD-O19"."""
    if domain == "2":
        return [f"BD-C{i:02d}" for i in range(1, COURT_CASES + 1)]
    if domain == "3":
        return [f"BD-O{i:02d}" for i in range(1, OUT_OF_COURT_CASES + 1)]
    raise ValueError(f"seed 004 has case samples for domains 2 and 3, not {domain!r}")


def seed004_answers() -> list[AnswerFact]:
    """One answer per case per key question, matching :data:`SEED004_COUNTS`.

    Which cases answer No or Not applicable is rotated from question to question, so that no
    single case carries every No -- closer to a real sample, and a better test of drill-down.
    """
    answers: list[AnswerFact] = []
    for index, (code, (yes, no, na)) in enumerate(SEED004_COUNTS.items()):
        cases = seed004_case_ids(code[0])
        if yes + no + na != len(cases):
            raise AssertionError(f"{code}: counts do not add up to the {len(cases)} cases")
        shift = (index * 7) % len(cases)
        rotated = cases[shift:] + cases[:shift]
        values = ["na"] * na + ["yes"] * yes + ["no"] * no
        answers.extend(
            AnswerFact(case_id=case, organisation=ORGANISATION, question_code=code, value=value)
            for case, value in zip(rotated, values, strict=True)
        )
    return answers
