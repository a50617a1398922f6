"""The report as a document (ReportDocument), which the PDF and the preview print: every
piece of text the lead wrote, with the names of the people in the case files replaced by
pseudonyms, beside the ratings computed from the answers (reports.ratings.selectors), the
methodology, the profiles of the cases and the glossary.

One module of about 500 lines, because it is one thing: the document's parts (the frozen
dataclasses) and the builders that fill each of them are read together with report_document,
which puts them in the order the report prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.utils import timezone

from casefiles.choices import SampleType
from casefiles.models import Case, Interview, SamplingPlan, counted_condition
from casefiles.sampling.draw import DEFAULT_WINDOWS
from inspection.models import Inspection, Membership, Question, Standard
from inspection.rating_rules import RatingRules, exact, round_half_up, whole_percent
from reports.models import (
    PracticeExample,
)
from reports.ratings.selectors import inspection_rating
from reports.ratings.tables import case_profile_tables
from reports.writing.check import lines, paragraphs, report_texts
from reports.writing.pdf_charts import KeyQuestionBar, key_question_chart
from reports.writing.people import pseudonymiser_for


@dataclass(frozen=True)
class KeyQuestionLine:
    code: str
    text: str
    counts: str  # "26 of 31", or "no applicable cases"
    percent: int | None
    band: str | None

    @property
    def percent_text(self) -> str:
        return "–" if self.percent is None else f"{self.percent}%"


@dataclass(frozen=True)
class Example:
    title: str
    quote: list[str]
    sample: str  # "a court disposal case"


@dataclass(frozen=True)
class StandardSection:
    code: str
    title: str
    statement: str
    is_case_judged: bool
    rating: str | None
    explanation: str
    narrative: list[str]
    strengths: list[str]
    areas: list[str]
    key_questions: list[KeyQuestionLine]
    examples: list[Example]

    @property
    def anchor(self) -> str:
        return "standard-" + self.code.replace(".", "-")


@dataclass(frozen=True)
class DomainSection:
    code: str
    title: str
    key_findings: list[str]
    standards: list[StandardSection]
    chart: str = ""  # inline SVG of the case-judged key questions, safe to print

    @property
    def anchor(self) -> str:
        return f"domain-{self.code}"

    @property
    def is_case_judged(self) -> bool:
        return any(s.is_case_judged for s in self.standards)

    @property
    def key_questions(self) -> list[KeyQuestionLine]:
        return [kq for s in self.standards if s.is_case_judged for kq in s.key_questions]


@dataclass(frozen=True)
class RecommendationGroup:
    addressed_to: str
    items: list[tuple[int, str]]


@dataclass(frozen=True)
class SampleRow:
    label: str
    in_sample: int
    counted: int
    share: int | None  # per cent of the counted cases
    window: str


@dataclass(frozen=True)
class ProfileLine:
    label: str
    count: int
    percent: int | None


@dataclass(frozen=True)
class Profile:
    title: str
    rows: list[ProfileLine]
    note: str = ""


@dataclass(frozen=True)
class Methodology:
    samples: list[SampleRow]
    in_sample: int
    counted: int
    confidence: int  # per cent
    margin: int  # percentage points
    organisation_standards: list[str]
    profiles: list[Profile] = field(default_factory=list)
    # Interviews held for the cases counted: with case managers, and with anyone else.
    case_manager_interviews: int = 0
    other_interviews: int = 0


@dataclass(frozen=True)
class KeyFactLine:
    label: str
    value: str
    comparison: str
    source: str


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    meaning: str


@dataclass(frozen=True)
class ReportDocument:
    """Everything the PDF and the preview print, with names already changed."""

    inspection: Inspection
    title: str
    organisations: list[str]
    lead: str
    date: date
    rating: str | None
    explanation: str
    band_edges: list[int]
    foreword: list[str]
    domains: list[DomainSection]
    recommendations: list[RecommendationGroup]
    recommendation_count: int
    key_facts: list[KeyFactLine]
    examples: list[Example]  # not placed under a standard
    methodology: Methodology
    glossary: list[GlossaryEntry]

    @property
    def standards(self) -> list[StandardSection]:
        return [s for d in self.domains for s in d.standards]


_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()


def _words(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _window_text(sample_type: str, windows: dict[str, list[int]]) -> str:
    window = windows.get(sample_type)
    if not window:
        return "any case open in the period asked about"
    months_from, months_to = window
    if months_from == 0:
        return f"started in the {_words(months_to)} months before fieldwork"
    return f"started {_words(months_from)} to {_words(months_to)} months before fieldwork"


def _methodology(inspection: Inspection, standards: list[Standard]) -> Methodology:
    rows = (
        Case.objects.filter(inspection=inspection)
        .values_list("sample_type")
        .annotate(n=Count("id"), counted=Count("id", filter=counted_condition()))
        .order_by()
    )
    in_sample = {sample_type: n for sample_type, n, _ in rows}
    counted = {sample_type: n for sample_type, _, n in rows if n}
    plan = SamplingPlan.objects.filter(inspection=inspection).first()
    windows = (
        plan.windows
        if plan
        else {w.sample_type: [w.months_from, w.months_to] for w in DEFAULT_WINDOWS}
    )
    total_counted = sum(counted.values())
    labels = dict(SampleType.choices)
    order = [s for s in inspection.framework.sample_types if s in in_sample] + sorted(
        s for s in in_sample if s not in inspection.framework.sample_types
    )
    samples = [
        SampleRow(
            label=labels.get(s, s),
            in_sample=in_sample[s],
            counted=counted.get(s, 0),
            share=whole_percent(counted.get(s, 0), total_counted),
            window=_window_text(s, windows),
        )
        for s in order
    ]
    return Methodology(
        samples=samples,
        in_sample=sum(in_sample.values()),
        counted=total_counted,
        confidence=int(round_half_up(exact(plan.confidence if plan else 0.8) * 100)),
        margin=int(round_half_up(exact(plan.margin if plan else 0.05) * 100)),
        organisation_standards=[f"{s.code} {s.title}" for s in standards if not s.is_case_judged],
        profiles=_profiles(inspection),
        **_interviews_held(inspection),
    )


def _interviews_held(inspection: Inspection) -> dict[str, int]:
    """Interviews held for the cases counted, by who was interviewed (one query)."""
    held = dict(
        Interview.objects.filter(
            counted_condition("case__"), case__inspection=inspection, held=True
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "case_manager_interviews": held.get(Interview.Kind.CASE_MANAGER, 0),
        "other_interviews": held.get(Interview.Kind.OTHER, 0),
    }


def _profiles(inspection: Inspection) -> list[Profile]:
    """The profile of the cases counted (seed 003 Appendix 4), in the ratings pages' tables."""
    organisations = tuple(inspection.organisations.order_by("name"))
    _, tables = case_profile_tables(inspection, organisations)
    profiles = []
    for table in tables:
        rows = [
            ProfileLine(row.label, row.overall.count, row.overall.percent)
            for row in table.rows
            if row.overall.count
        ]
        if rows:
            profiles.append(Profile(table.title, rows, table.note))
    return profiles


# The DOMAIN words are always in the glossary; the other terms when the report uses them.
GLOSSARY_ALWAYS: dict[str, str] = {
    "ACPC / LSCB": "Area child protection committee / local safeguarding children board.",
    "Asset / AssetPlus": "Assessment tools used with children who have offended.",
    "CSC": "Children's social care services.",
    "ICPC": "Initial child protection conference.",
    "MAPPA": (
        "Multi-agency public protection arrangements: probation, police, prison and other "
        "agencies working together locally to manage those who pose the highest risk of harm."
    ),
    "MARAC": "Multi-agency risk assessment conference.",
    "MASH": "Multi-agency safeguarding hub.",
    "OASys": "Offender assessment system: the assessment tool used with adults.",
    "OOCD": "Out-of-court disposal.",
    "PSR": "Pre-sentence report.",
    "ROSH": (
        "Risk of serious harm: every case is classified as presenting a low, medium, high or "
        "very high risk of serious harm to others."
    ),
    "VMP": "Vulnerability management plan.",
}
GLOSSARY_WHEN_USED: dict[str, tuple[str, tuple[str, ...]]] = {
    "Child protection": (
        "Work to make sure that all reasonable action has been taken to keep to a minimum the "
        "risk of a child experiencing significant harm.",
        ("child protection",),
    ),
    "Community resolution": (
        "Used for low-level, often first-time, offences where there is informal agreement, "
        "often also involving the victim, about how the offence should be resolved.",
        ("community resolution",),
    ),
    "County lines": (
        "Young people who are coerced into transporting drugs or money on behalf of gangs "
        "across the country.",
        ("county lines",),
    ),
    "Court disposal": (
        "The sentence imposed by the court, such as a referral order, youth rehabilitation "
        "order or detention and training order.",
        ("court disposal",),
    ),
    "Criminal exploitation": (
        "When children are exploited, forced or coerced into committing crimes.",
        ("exploitation", "exploited"),
    ),
    "Desistance": ("The cessation of offending or other antisocial behaviour.", ("desist",)),
    "Key question": (
        "A question every case is answered against (Yes, No or Not applicable); a standard's "
        "rating follows from the share of Yes answers to its key questions.",
        ("key question",),
    ),
    "Out-of-court disposal": (
        "The resolution of a normally low-level offence, where it is not in the public interest "
        "to prosecute, through a community resolution, youth caution or youth conditional "
        "caution.",
        ("out-of-court", "out of court"),
    ),
    "Safeguarding": (
        "A wider term than child protection: promoting a child's health and development and "
        "making sure that their overall welfare needs are met.",
        ("safeguard",),
    ),
    "Safety and wellbeing": (
        "Outcomes where the child's safety and wellbeing may be compromised through their own "
        "behaviour, personal circumstances or the acts or omissions of others.",
        ("safety and wellbeing", "safety and well-being"),
    ),
    "Youth caution": (
        "A caution accepted by a child who admits an offence, where prosecution is not in the "
        "public interest.",
        ("youth caution",),
    ),
    "Youth conditional caution": (
        "A youth caution with conditions the child must keep to for up to three months.",
        ("conditional caution",),
    ),
    "YJB": (
        "Youth Justice Board: the body that monitors and advises ministers on the youth "
        "justice system, and funds and guides youth offending teams.",
        ("youth justice board", "yjb"),
    ),
    "YOT / YOS / YJS": (
        "Youth offending team, service or youth justice service: the multi-agency team that "
        "works to reduce offending by children.",
        ("yot", "yos", "yjs", "youth offending"),
    ),
}


def glossary(used_text: str) -> list[GlossaryEntry]:
    """The fixed glossary, plus the terms the report's text uses."""
    haystack = used_text.casefold()
    entries = dict(GLOSSARY_ALWAYS)
    for term, (meaning, needles) in GLOSSARY_WHEN_USED.items():
        if any(re.search(r"(?<!\w)" + re.escape(n), haystack) for n in needles):
            entries[term] = meaning
    return [GlossaryEntry(t, m) for t, m in sorted(entries.items(), key=lambda i: i[0].lower())]


_ARTICLE = {"out_of_court": "an out-of-court disposal case"}


def _example(item: PracticeExample, swap) -> Example:
    sample = ""
    if item.case is not None:
        sample = _ARTICLE.get(
            item.case.sample_type, f"a {item.case.get_sample_type_display().lower()} case"
        )
    return Example(
        title=swap(item.title), quote=[swap(p) for p in paragraphs(item.quote)], sample=sample
    )


def report_document(inspection: Inspection) -> ReportDocument:
    """The report as printed, names changed (a fixed number of queries, whatever the size)."""
    texts = report_texts(inspection)
    swap = pseudonymiser_for(inspection).replace
    summary = inspection_rating(inspection)
    result = summary.result
    questions = {
        q.code: q
        for q in Question.objects.filter(framework=inspection.framework, parent__isnull=True)
    }
    rules = RatingRules.from_framework_dict(inspection.framework.rules_dict())
    band_edges = [int(b.min_percent) for b in rules.bands if b.min_percent > 0]
    examples_by_standard: dict[int | None, list[Example]] = {}
    for item in texts.examples:
        examples_by_standard.setdefault(item.standard_id, []).append(_example(item, swap))

    domains = []
    for domain in texts.domains:
        sections = []
        for standard in (s for s in texts.standards if s.domain_id == domain.pk):
            standard_result = result.standard(standard.code)
            written = texts.standard_texts.get(standard.pk)
            narrative, _ = texts.narrative_of(standard)
            key_questions = [
                KeyQuestionLine(
                    code=kq.code,
                    text=questions[kq.code].text if kq.code in questions else kq.text,
                    counts=(
                        f"{kq.tally.yes} of {kq.tally.applicable}"
                        if kq.tally.applicable
                        else "no applicable cases"
                    ),
                    percent=kq.tally.whole_percent,
                    band=kq.band,
                )
                for kq in standard_result.key_questions
            ]
            sections.append(
                StandardSection(
                    code=standard.code,
                    title=standard.title,
                    statement=standard.statement,
                    is_case_judged=standard.is_case_judged,
                    rating=standard_result.rating,
                    explanation=standard_result.explanation.replace(" -> ", ", so "),
                    narrative=[swap(p) for p in paragraphs(narrative)],
                    strengths=[swap(s) for s in lines(written.strengths)] if written else [],
                    areas=(
                        [swap(s) for s in lines(written.areas_for_improvement)] if written else []
                    ),
                    key_questions=key_questions,
                    examples=examples_by_standard.get(standard.pk, []),
                )
            )
        findings = texts.findings.get(domain.pk)
        bars = [
            KeyQuestionBar(kq.code, kq.percent, kq.counts, kq.band)
            for s in sections
            if s.is_case_judged
            for kq in s.key_questions
        ]
        chart = (
            key_question_chart(
                bars,
                band_edges=band_edges,
                chart_id=f"chart-domain-{domain.code}",
                title=f"{domain.code}. {domain.title}: % yes per key question",
            )
            if bars
            else ""
        )
        domains.append(
            DomainSection(
                code=domain.code,
                title=domain.title,
                key_findings=[swap(f) for f in lines(findings.key_findings)] if findings else [],
                standards=sections,
                chart=chart,
            )
        )

    groups: list[RecommendationGroup] = []
    for number, item in enumerate(texts.recommendations, start=1):
        body = swap(item.addressed_to)
        if groups and groups[-1].addressed_to == body:
            groups[-1].items.append((number, swap(item.text)))
        else:
            groups.append(RecommendationGroup(body, [(number, swap(item.text))]))

    lead = (
        Membership.objects.filter(inspection=inspection, role=Membership.Role.LEAD)
        .select_related("user")
        .first()
    )
    foreword = [swap(p) for p in paragraphs(texts.report.foreword)]
    key_facts = [
        KeyFactLine(swap(f.label), swap(f.value), swap(f.comparison), swap(f.source))
        for f in texts.key_facts
    ]
    document_date = (
        timezone.localdate(texts.report.updated_at)
        if texts.report.updated_at
        else timezone.localdate()
    )
    used = " ".join(
        [
            " ".join(foreword),
            *(f for d in domains for f in d.key_findings),
            *(d.title for d in domains),
            *(
                " ".join([s.title, s.statement, *s.narrative, *s.strengths, *s.areas])
                + " ".join(kq.text for kq in s.key_questions)
                for d in domains
                for s in d.standards
            ),
            *(text for g in groups for _, text in g.items),
            *(g.addressed_to for g in groups),
        ]
    )
    return ReportDocument(
        inspection=inspection,
        title=inspection.title,
        organisations=[o.name for o in inspection.organisations.all()],
        lead=str(lead.user) if lead else "",
        date=document_date,
        rating=result.rating,
        explanation=result.explanation,
        band_edges=band_edges,
        foreword=foreword,
        domains=domains,
        recommendations=groups,
        recommendation_count=len(texts.recommendations),
        key_facts=key_facts,
        examples=examples_by_standard.get(None, []),
        methodology=_methodology(inspection, texts.standards),
        glossary=glossary(used),
    )
