"""Writing the report, and reading it back as the document the PDF and the preview print.

Writes are keyword-only functions, one per section, each in a transaction that also records
a ReportEdit. Reads assemble a ReportDocument: every piece of text the lead wrote, with the
names of the people in the case files replaced by pseudonyms, beside the ratings computed
from the answers (reports.ratings.selectors). The publication check reads the same text *before*
replacement and lists every real name still in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from casefiles.choices import SampleType
from casefiles.models import Case, LinkedChild, SamplingPlan
from casefiles.sampling.draw import DEFAULT_WINDOWS
from inspection.models import Domain, Inspection, Membership, Question, Standard
from judgements.models import OrganisationRating
from reports.models import (
    DomainFindings,
    KeyFact,
    PracticeExample,
    Pseudonym,
    Recommendation,
    Report,
    ReportEdit,
    StandardText,
)
from reports.ratings.engine import RatingRules
from reports.ratings.selectors import inspection_rating
from reports.ratings.tables import case_profile_tables
from reports.writing.pdf_charts import KeyQuestionBar, key_question_chart
from reports.writing.pseudonyms import Person, Pseudonymiser, assign_pseudonyms, excerpt

# --------------------------------------------------------------------------- pseudonyms

SUBJECT = "the person supervised"
LINKED_CHILD = "a linked child"
CASE_MANAGER = "the case manager"


def case_file_people(inspection: Inspection) -> list[Person]:
    """Everyone named in the inspection's case files, in a fixed order (two queries).

    The children supervised come first, by case reference, so they get first pick of the
    names that match their recorded gender.
    """
    cases = list(
        Case.objects.filter(inspection=inspection)
        .order_by("reference")
        .values_list("reference", "subject_name", "gender", "case_manager")
    )
    children = (
        LinkedChild.objects.filter(case__inspection=inspection)
        .order_by("case__reference", "name", "pk")
        .values_list("case__reference", "name")
    )
    people = [Person(name, SUBJECT, ref, gender) for ref, name, gender, _ in cases]
    people += [Person(name, LINKED_CHILD, ref) for ref, name in children]
    people += [Person(manager, CASE_MANAGER, ref) for ref, _, _, manager in cases if manager]
    return people


def pseudonymiser_for(inspection: Inspection) -> Pseudonymiser:
    """The inspection's pseudonyms, choosing (and keeping) any that are still missing.

    Idempotent, so a page that only reads may call it: a name gets its pseudonym the first
    time any report text is rendered or checked, and keeps it from then on.
    """
    people = case_file_people(inspection)
    existing = {
        (p.part, p.real_key): p.pseudonym for p in Pseudonym.objects.filter(inspection=inspection)
    }
    new = assign_pseudonyms(people, existing, salt=inspection.reference)
    if new:
        with transaction.atomic():
            Pseudonym.objects.bulk_create(
                [
                    Pseudonym(inspection=inspection, part=part, real_key=key, pseudonym=name)
                    for (part, key), name in new.items()
                ],
                ignore_conflicts=True,
            )
        # Another request may have chosen some at the same moment: read back what was kept.
        existing = {
            (p.part, p.real_key): p.pseudonym
            for p in Pseudonym.objects.filter(inspection=inspection)
        }
        missing = assign_pseudonyms(people, existing, salt=inspection.reference)
        existing.update(missing)
    return Pseudonymiser(people=people, pseudonyms=existing)


# --------------------------------------------------------------------------- writing


def _report_for_update(inspection: Inspection) -> Report:
    """The inspection's report, made on first write, locked for the rest of the transaction."""
    Report.objects.get_or_create(inspection=inspection)
    return Report.objects.select_for_update().get(inspection=inspection)


def _record(report: Report, *, actor, section: str, action=ReportEdit.Action.SAVED) -> None:
    now = timezone.now()
    report.updated_by, report.updated_at = actor, now
    report.save(update_fields=["updated_by", "updated_at"])
    ReportEdit.objects.create(report=report, actor=actor, at=now, action=action, section=section)


def _required(**fields: str) -> dict[str, str]:
    """Strip the fields; refuse (ValidationError) any that is blank."""
    cleaned = {name: (value or "").strip() for name, value in fields.items()}
    errors = {
        name: f"Enter the {name.replace('_', ' ')}" for name, value in cleaned.items() if not value
    }
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def report_foreword_save(*, inspection: Inspection, foreword: str, actor) -> Report:
    cleaned = _required(foreword=foreword)
    report = _report_for_update(inspection)
    report.foreword = cleaned["foreword"]
    report.save(update_fields=["foreword"])
    _record(report, actor=actor, section="Foreword")
    return report


@transaction.atomic
def domain_findings_save(
    *, inspection: Inspection, domain: Domain, key_findings: str, actor
) -> DomainFindings:
    if domain.framework_id != inspection.framework_id:
        raise ValidationError({"domain": "This domain is not in the inspection's framework"})
    cleaned = _required(key_findings=key_findings)
    report = _report_for_update(inspection)
    findings, _ = DomainFindings.objects.update_or_create(
        report=report, domain=domain, defaults={"key_findings": cleaned["key_findings"]}
    )
    _record(report, actor=actor, section=f"Key findings: {domain.code}. {domain.title}")
    return findings


@transaction.atomic
def standard_text_save(
    *,
    inspection: Inspection,
    standard: Standard,
    narrative: str,
    strengths: str,
    areas_for_improvement: str,
    actor,
) -> StandardText:
    if standard.framework_id != inspection.framework_id:
        raise ValidationError({"standard": "This standard is not in the inspection's framework"})
    cleaned = _required(narrative=narrative)
    report = _report_for_update(inspection)
    text, _ = StandardText.objects.update_or_create(
        report=report,
        standard=standard,
        defaults={
            "narrative": cleaned["narrative"],
            "strengths": (strengths or "").strip(),
            "areas_for_improvement": (areas_for_improvement or "").strip(),
        },
    )
    _record(report, actor=actor, section=f"Standard {standard.code} {standard.title}")
    return text


def _next_position(model, report: Report) -> int:
    return (model.objects.filter(report=report).aggregate(n=Max("position"))["n"] or 0) + 1


def _item_for(model, report: Report, item):
    if item is None:
        return model(report=report, position=_next_position(model, report))
    if item.report_id != report.pk:
        raise ValidationError("This item belongs to another inspection's report")
    return item


@transaction.atomic
def recommendation_save(
    *,
    inspection: Inspection,
    addressed_to: str,
    text: str,
    actor,
    recommendation: Recommendation | None = None,
) -> Recommendation:
    cleaned = _required(addressed_to=addressed_to, text=text)
    report = _report_for_update(inspection)
    item = _item_for(Recommendation, report, recommendation)
    item.addressed_to, item.text = cleaned["addressed_to"], cleaned["text"]
    item.save()
    _record(report, actor=actor, section=f"Recommendation to {item.addressed_to}")
    return item


@transaction.atomic
def key_fact_save(
    *,
    inspection: Inspection,
    label: str,
    value: str,
    comparison: str,
    source: str,
    actor,
    key_fact: KeyFact | None = None,
) -> KeyFact:
    cleaned = _required(label=label, value=value)
    report = _report_for_update(inspection)
    item = _item_for(KeyFact, report, key_fact)
    item.label, item.value = cleaned["label"], cleaned["value"]
    item.comparison, item.source = (comparison or "").strip(), (source or "").strip()
    item.save()
    _record(report, actor=actor, section=f"Key fact: {item.label}")
    return item


@transaction.atomic
def practice_example_save(
    *,
    inspection: Inspection,
    case: Case,
    standard: Standard | None,
    title: str,
    quote: str,
    actor,
    example: PracticeExample | None = None,
) -> PracticeExample:
    if case is None or case.inspection_id != inspection.pk:
        raise ValidationError({"case": "Select one of this inspection's cases"})
    if standard is not None and standard.framework_id != inspection.framework_id:
        raise ValidationError({"standard": "This standard is not in the inspection's framework"})
    cleaned = _required(title=title, quote=quote)
    report = _report_for_update(inspection)
    item = _item_for(PracticeExample, report, example)
    item.case, item.standard = case, standard
    item.title, item.quote = cleaned["title"], cleaned["quote"]
    item.save()
    _record(report, actor=actor, section=f"Practice example: {item.title}")
    return item


@transaction.atomic
def report_item_remove(*, item: Recommendation | KeyFact | PracticeExample, actor) -> None:
    report = Report.objects.select_for_update().get(pk=item.report_id)
    section = f"{item._meta.verbose_name.capitalize()}: {item}"
    item.delete()
    _record(report, actor=actor, section=section[:250], action=ReportEdit.Action.REMOVED)


# --------------------------------------------------------------------------- reading


def report_of(inspection: Inspection) -> Report:
    """The inspection's report, or an empty unsaved one when nothing is written yet."""
    return Report.objects.filter(inspection=inspection).first() or Report(inspection=inspection)


def paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by a blank line; a single line break stays in the paragraph."""
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


def lines(text: str) -> list[str]:
    """One item per line, for bullet lists; a leading "-" or "*" is dropped."""
    items = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.strip().lstrip("-*•").strip()
        if line:
            items.append(line)
    return items


@dataclass(frozen=True)
class TextSource:
    """One piece of the report's text, where it is, and the page to change it on."""

    location: str
    url: str
    text: str
    kind: str = "paragraphs"  # or "lines", "plain"


@dataclass
class ReportTexts:
    """The written text of one report, read in a fixed number of queries."""

    report: Report
    domains: list[Domain]
    standards: list[Standard]
    findings: dict[int, DomainFindings]
    standard_texts: dict[int, StandardText]
    org_narratives: dict[int, OrganisationRating]
    recommendations: list[Recommendation]
    key_facts: list[KeyFact]
    examples: list[PracticeExample]

    def narrative_of(self, standard: Standard) -> tuple[str, str]:
        """The standard's narrative, and where it was written: the report or the rating."""
        text = self.standard_texts.get(standard.pk)
        if text is not None:
            return text.narrative, "report"
        rating = self.org_narratives.get(standard.pk)
        if rating is not None:
            return rating.narrative, "rating"
        return "", ""


def report_texts(inspection: Inspection) -> ReportTexts:
    report = report_of(inspection)
    domains = list(Domain.objects.filter(framework=inspection.framework).order_by("position"))
    standards = list(Standard.objects.filter(framework=inspection.framework).order_by("position"))
    saved = report.pk is not None
    organisations = list(inspection.organisations.all())
    org_narratives = {}
    if len(organisations) == 1:
        org_narratives = {
            r.standard_id: r
            for r in OrganisationRating.objects.filter(
                inspection=inspection, organisation=organisations[0]
            ).select_related("organisation")
        }
    return ReportTexts(
        report=report,
        domains=domains,
        standards=standards,
        findings={f.domain_id: f for f in report.domain_findings.all()} if saved else {},
        standard_texts={t.standard_id: t for t in report.standard_texts.all()} if saved else {},
        org_narratives=org_narratives,
        recommendations=list(report.recommendations.all()) if saved else [],
        key_facts=list(report.key_facts.all()) if saved else [],
        examples=(
            list(report.practice_examples.select_related("case", "standard")) if saved else []
        ),
    )


def text_sources(texts: ReportTexts) -> list[TextSource]:
    """Every piece of written text in document order, with its location and edit page."""
    inspection = texts.report.inspection
    ref = inspection.reference

    def url(name, *args):
        return reverse(f"reports:{name}", args=[ref, *args])

    sources = [TextSource("Foreword", url("report_foreword"), texts.report.foreword)]
    for domain in texts.domains:
        findings = texts.findings.get(domain.pk)
        if findings:
            sources.append(
                TextSource(
                    f"Key findings: {domain.code}. {domain.title}",
                    url("report_findings", domain.code),
                    findings.key_findings,
                    "lines",
                )
            )
    for item in texts.recommendations:
        where = f"Recommendation to {item.addressed_to}"
        edit = url("report_item_edit", "recommendations", item.public_id)
        sources.append(TextSource(f"{where}: addressed to", edit, item.addressed_to, "plain"))
        sources.append(TextSource(where, edit, item.text, "plain"))
    for item in texts.key_facts:
        edit = url("report_item_edit", "key-facts", item.public_id)
        for name in ("label", "value", "comparison", "source"):
            sources.append(
                TextSource(f"Key fact {item.label}: {name}", edit, getattr(item, name), "plain")
            )
    for standard in texts.standards:
        where = f"Standard {standard.code} {standard.title}"
        edit = url("report_standard", standard.code)
        text, origin = texts.narrative_of(standard)
        if origin == "rating":
            rating = texts.org_narratives[standard.pk]
            sources.append(
                TextSource(
                    f"{where}: narrative of the organisation rating",
                    reverse(
                        "judgements:organisation_rating_edit",
                        args=[ref, rating.organisation.slug, standard.code],
                    ),
                    text,
                )
            )
        elif origin == "report":
            sources.append(TextSource(f"{where}: narrative", edit, text))
        written = texts.standard_texts.get(standard.pk)
        if written:
            sources.append(TextSource(f"{where}: strengths", edit, written.strengths, "lines"))
            sources.append(
                TextSource(
                    f"{where}: areas for improvement", edit, written.areas_for_improvement, "lines"
                )
            )
    for item in texts.examples:
        edit = url("report_item_edit", "practice-examples", item.public_id)
        sources.append(TextSource(f"Practice example {item.title}: title", edit, item.title))
        sources.append(TextSource(f"Practice example {item.title}: quote", edit, item.quote))
    return [s for s in sources if s.text]


@dataclass(frozen=True)
class CheckFinding:
    """A real name still in the report's text."""

    location: str
    url: str
    name: str
    whose: str
    before: str
    after: str


def publication_check(inspection: Inspection) -> list[CheckFinding]:
    """Every real name from the case files still present in the report's text, in order."""
    texts = report_texts(inspection)
    pseudonymiser = pseudonymiser_for(inspection)
    findings = []
    for source in text_sources(texts):
        for found in pseudonymiser.find(source.text):
            before, name, after = excerpt(source.text, found.start, found.end)
            findings.append(
                CheckFinding(
                    location=source.location,
                    url=source.url,
                    name=name,
                    whose=found.whose,
                    before=before,
                    after=after,
                )
            )
    return findings


# --------------------------------------------------------------------------- the document


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


def _whole(count: int, base: int) -> int | None:
    if not base:
        return None
    return int((200 * count + base) // (2 * base))  # half up


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
    counted_statuses = [str(s) for s in Case.COUNTED_STATUSES]
    rows = (
        Case.objects.filter(inspection=inspection)
        .values_list("sample_type", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    in_sample: dict[str, int] = {}
    counted: dict[str, int] = {}
    for sample_type, status, n in rows:
        in_sample[sample_type] = in_sample.get(sample_type, 0) + n
        if status in counted_statuses:
            counted[sample_type] = counted.get(sample_type, 0) + n
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
            share=_whole(counted.get(s, 0), total_counted),
            window=_window_text(s, windows),
        )
        for s in order
    ]
    return Methodology(
        samples=samples,
        in_sample=sum(in_sample.values()),
        counted=total_counted,
        confidence=round(float(plan.confidence if plan else 0.8) * 100),
        margin=round(float(plan.margin if plan else 0.05) * 100),
        organisation_standards=[f"{s.code} {s.title}" for s in standards if not s.is_case_judged],
        profiles=_profiles(inspection),
    )


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
