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
from casefiles.sampling.models import DrawnCase, SampleDraw, SampleReplacement
from inspection.models import Inspection, Inspectorate, Membership, Question, Standard
from inspection.rating_rules import RatingRules, exact, round_half_up, whole_percent
from reports.models import (
    PracticeExample,
)
from reports.ratings.engine import natural_key
from reports.ratings.selectors import inspection_rating, overall_rating
from reports.ratings.tables import (
    StandardTable,
    ThematicTables,
    case_profile_tables,
    thematic_tables,
)
from reports.writing.check import lines, paragraphs, report_texts
from reports.writing.pdf_charts import (
    ChartFigure,
    KeyQuestionBar,
    key_question_chart,
    thematic_charts,
)
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
    # A thematic report: the key questions and prompts by organisation, and their chart.
    comparison: StandardTable | None = None
    comparison_chart: ChartFigure | None = None

    @property
    def anchor(self) -> str:
        return "standard-" + self.code.replace(".", "-")


@dataclass(frozen=True)
class DomainSection:
    code: str
    title: str
    key_findings: list[str]
    standards: list[StandardSection]
    chart: ChartFigure | None = None  # the case-judged key questions' % yes

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
class SampleSize:
    label: str
    eligible: int
    calculated: int
    size: int
    drawn: int
    override_reason: str


@dataclass(frozen=True)
class StratumRow:
    sample_type: str
    label: str  # "Male, court order, high ROSH, ..."
    population: int
    allocated: int


@dataclass(frozen=True)
class ReplacedCase:
    removed: str
    reserve: str
    reason: str


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
    # The sample as drawn (casefiles.sampling), when it was drawn in the service.
    drawn: bool = False
    sizes: list[SampleSize] = field(default_factory=list)
    strata: list[StratumRow] = field(default_factory=list)
    replaced: list[ReplacedCase] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # references of cases added outside the draw
    confidence_text: str = ""  # "80 per cent"
    margin_text: str = ""  # "5 percentage points"


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
    date: date  # the publication date, or the day this draft was made
    rating: str | None  # the overall rating, only when it is whole (else None)
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
    is_thematic: bool = False
    is_draft: bool = True  # until the inspection is approved
    is_published: bool = False
    rating_missing: tuple[str, ...] = ()  # why the overall rating is not yet shown
    rating_left_out: tuple[str, ...] = ()  # standards not rated: no applicable cases
    rating_withheld: str = ""  # why the framework's rules give no overall rating
    inspectorates: list[str] = field(default_factory=list)  # partner inspectorates
    thematic: ThematicTables | None = None
    thematic_charts: list[ChartFigure] = field(default_factory=list)

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
    draw = SampleDraw.objects.filter(inspection=inspection).first()
    source = draw or plan
    confidence = int(round_half_up(exact(source.confidence if source else 0.8) * 100))
    margin = round_half_up(exact(source.margin if source else 0.05) * 100, 1)
    margin_text = f"{margin:f}".rstrip("0").rstrip(".")
    return Methodology(
        samples=samples,
        in_sample=sum(in_sample.values()),
        counted=total_counted,
        confidence=confidence,
        margin=int(round_half_up(margin)),
        organisation_standards=[f"{s.code} {s.title}" for s in standards if not s.is_case_judged],
        profiles=_profiles(inspection),
        confidence_text=f"{confidence} per cent",
        margin_text=f"{margin_text} percentage point{'' if margin_text == '1' else 's'}",
        **_interviews_held(inspection),
        **_sample_as_drawn(inspection, draw, labels),
    )


def _stratum_label(parts: list[str]) -> str:
    """A stratum's characteristics after its sample type, in words: "Male, YRO, risk of
    serious harm high, safety and wellbeing medium" (casefiles.sampling.draw.stratum_key)."""

    def word(value: str) -> str:
        value = value.replace("_", " ")
        return value.upper() if len(value) <= 4 and " " not in value else value

    gender, disposal, rosh, wellbeing = ([*parts[1:], "", "", "", ""])[:4]
    words = [
        word(gender).capitalize() if gender else "",
        word(disposal),
        f"risk of serious harm {word(rosh).lower()}" if rosh else "",
        f"safety and wellbeing {word(wellbeing).lower()}" if wellbeing else "",
    ]
    return ", ".join(w for w in words if w) or "All cases"


def _sample_as_drawn(inspection: Inspection, draw: SampleDraw | None, labels) -> dict:
    """The sample as the service drew it: sizes by sample type and stratum, cases replaced
    and why, and cases in the inspection that the draw did not choose (added by hand).
    Three queries with a draw, one without."""
    if draw is None:
        return {"drawn": False, "added": []}
    drawn_ids = set(
        DrawnCase.objects.filter(draw__inspection=inspection, case__isnull=False).values_list(
            "case_id", flat=True
        )
    )
    added = sorted(
        (
            reference
            for pk, reference in Case.objects.filter(inspection=inspection).values_list(
                "pk", "reference"
            )
            if pk not in drawn_ids
        ),
        key=natural_key,
    )
    sizes = [
        SampleSize(
            label=labels.get(kind, kind),
            eligible=int(row.get("eligible", 0)),
            calculated=int(row.get("calculated", 0)),
            size=int(row.get("size", 0)),
            drawn=int(row.get("drawn", 0)),
            override_reason=row.get("override_reason", ""),
        )
        for kind, row in draw.sizes.items()
    ]
    strata = [
        StratumRow(
            sample_type=labels.get(row["sample_type"], row["sample_type"]),
            label=_stratum_label(list(row["stratum"])),
            population=int(row["population"]),
            allocated=int(row["allocated"]),
        )
        for row in draw.allocation
    ]
    replaced = [
        ReplacedCase(r.removed.reference, r.reserve.reference, r.reason)
        for r in SampleReplacement.objects.filter(draw=draw)
        .select_related("removed", "reserve")
        .order_by("replaced_at", "pk")
    ]
    return {
        "drawn": True,
        "sizes": sizes,
        "strata": strata,
        "replaced": replaced,
        "added": added,
    }


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
    is_thematic = inspection.kind == Inspection.Kind.THEMATIC
    summary = inspection_rating(inspection)
    result = summary.result
    whole = overall_rating(summary)
    questions = {
        q.code: q
        for q in Question.objects.filter(framework=inspection.framework, parent__isnull=True)
    }
    rules = RatingRules.from_framework_dict(inspection.framework.rules_dict())
    band_edges = [int(b.min_percent) for b in rules.bands if b.min_percent > 0]

    thematic = thematic_tables(inspection) if is_thematic else None
    comparisons = {t.code: t for t in thematic.standards} if thematic else {}
    comparison_charts = dict(thematic_charts(thematic)) if thematic else {}
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
                    rating=None if is_thematic else standard_result.rating,
                    explanation=(
                        "" if is_thematic else standard_result.explanation.replace(" -> ", ", so ")
                    ),
                    narrative=[swap(p) for p in paragraphs(narrative)],
                    strengths=[swap(s) for s in lines(written.strengths)] if written else [],
                    areas=(
                        [swap(s) for s in lines(written.areas_for_improvement)] if written else []
                    ),
                    key_questions=key_questions,
                    examples=examples_by_standard.get(standard.pk, []),
                    comparison=comparisons.get(standard.code),
                    comparison_chart=comparison_charts.get(standard.code),
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
            if bars and not is_thematic
            else None
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
    # The cover's date: the day of publication, else the day this draft was made (not the
    # day the text was last changed, which says nothing about the document in hand).
    document_date = (
        timezone.localdate(inspection.published_at)
        if inspection.published_at
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
        rating=None if is_thematic else whole.rating,
        explanation="" if is_thematic else result.explanation,
        band_edges=band_edges,
        foreword=foreword,
        domains=domains,
        recommendations=groups,
        recommendation_count=len(texts.recommendations),
        key_facts=key_facts,
        examples=examples_by_standard.get(None, []),
        methodology=_methodology(inspection, texts.standards),
        glossary=glossary(used),
        is_thematic=is_thematic,
        is_draft=not inspection.is_approved,
        is_published=inspection.published_at is not None,
        rating_missing=() if is_thematic else whole.missing,
        rating_left_out=() if is_thematic else whole.left_out,
        rating_withheld="" if is_thematic else whole.withheld,
        inspectorates=_partner_inspectorates(inspection),
        thematic=thematic,
        thematic_charts=list(comparison_charts.values()),
    )


def _partner_inspectorates(inspection: Inspection) -> list[str]:
    """The other inspectorates on the team, from the partner inspectors' memberships."""
    values = (
        Membership.objects.filter(inspection=inspection, role=Membership.Role.PARTNER)
        .exclude(inspectorate=Inspectorate.HMI_PROBATION)
        .values_list("inspectorate", flat=True)
        .distinct()
        .order_by()
    )
    labels = dict(Inspectorate.choices)
    return sorted(labels.get(v, v) for v in values)
