"""Reading the report's text back: every piece the lead wrote (ReportTexts), where each
is and the page to change it on (TextSource), and the publication check, which reads the
text *before* names are replaced and lists every real name still in it; and the checks
this app adds to inspection.readiness (everything the report needs before approval and
publication: ratings, text, no real names, no open quality-assurance returns).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Q
from django.urls import reverse

from casefiles.models import Case
from inspection import readiness
from inspection.models import Domain, Inspection, Standard
from inspection.readiness import Missing
from judgements.models import OrganisationRating
from reports.models import (
    DomainFindings,
    KeyFact,
    PracticeExample,
    Recommendation,
    Report,
    StandardText,
)
from reports.ratings.engine import natural_key
from reports.ratings.selectors import inspection_rating, overall_rating
from reports.writing.people import pseudonymiser_for
from reports.writing.pseudonyms import excerpt


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


# --------------------------------------------------------------------------- before publication

# The groups of the check page, in the order it lists them (inspection.readiness.Missing.group).
GROUP_RATINGS = "Ratings"
GROUP_TEXT = "Report text"
GROUP_NAMES = "Real names in the report's text"
GROUP_QA = "Quality assurance"


def missing_ratings(inspection: Inspection) -> list[Missing]:
    """Every standard that can be rated is rated (service and joint inspections only: a
    thematic report publishes no ratings), and the sample is all submitted (all kinds)."""
    summary = inspection_rating(inspection)
    whole = overall_rating(summary)
    if whole.is_whole:
        return []
    if inspection.kind == Inspection.Kind.THEMATIC:
        # No ratings to give, but the figures are not final while cases are unsubmitted.
        whole = replace(whole, missing=whole.sample_missing)
    ref = inspection.reference
    organisations = list(summary.organisations)
    found = []
    for text in whole.missing:
        url = reverse("reports:ratings", args=[ref])
        if text.startswith("Standard ") and len(organisations) == 1:
            code = text.split()[1]
            url = reverse(
                "judgements:organisation_rating_edit", args=[ref, organisations[0].slug, code]
            )
        elif text in whole.sample_missing:
            url = reverse("casefiles:list", args=[ref])
        found.append(Missing(text, url, GROUP_RATINGS))
    return found


def missing_text(inspection: Inspection) -> list[Missing]:
    """The parts of the report that must be written: foreword, key findings for every
    domain, every standard's narrative, recommendations, key facts; and the methodology,
    which is drawn from the sample and so needs counted cases."""
    texts = report_texts(inspection)
    ref = inspection.reference

    def url(name, *args):
        return reverse(f"reports:{name}", args=[ref, *args])

    found = []
    if not texts.report.foreword.strip():
        found.append(Missing("The foreword is not written.", url("report_foreword"), GROUP_TEXT))
    for domain in texts.domains:
        findings = texts.findings.get(domain.pk)
        if not findings or not lines(findings.key_findings):
            found.append(
                Missing(
                    f"The key findings about {domain.code}. {domain.title} are not written.",
                    url("report_findings", domain.code),
                    GROUP_TEXT,
                )
            )
    for standard in texts.standards:
        narrative, _ = texts.narrative_of(standard)
        if not narrative.strip():
            found.append(
                Missing(
                    f"The narrative of standard {standard.code} {standard.title} is not written.",
                    url("report_standard", standard.code),
                    GROUP_TEXT,
                )
            )
    if not texts.recommendations:
        found.append(
            Missing(
                "No recommendation is written.",
                url("report_item_add", "recommendations"),
                GROUP_TEXT,
            )
        )
    if not texts.key_facts:
        found.append(
            Missing("No key fact is written.", url("report_item_add", "key-facts"), GROUP_TEXT)
        )
    if not Case.objects.counted().filter(inspection=inspection).exists():
        found.append(
            Missing(
                "The methodology has no sample to describe: no case is submitted.",
                reverse("casefiles:sample", args=[ref]),
                GROUP_TEXT,
            )
        )
    return found


def missing_names(inspection: Inspection) -> list[Missing]:
    """Every real name from the case files still in the report's text."""
    return [
        Missing(f"The real name “{f.name}” is in {f.location}.", f.url, GROUP_NAMES)
        for f in publication_check(inspection)
    ]


def missing_quality_assurance(inspection: Inspection) -> list[Missing]:
    """Cases returned by quality assurance and not yet resubmitted, and questions returned
    and not yet put right (one query)."""
    returned = (
        Case.objects.filter(inspection=inspection)
        .filter(Q(status=Case.Status.RETURNED) | Q(moderation__returned_questions__resolved=False))
        .distinct()
        .order_by("reference")
        .values_list("reference", "public_id")
    )
    return [
        Missing(
            f"Case {reference} was returned by quality assurance and is not yet put right.",
            reverse("casefiles:detail", args=[public_id]),
            GROUP_QA,
        )
        for reference, public_id in sorted(returned, key=lambda row: natural_key(row[0]))
    ]


def register_checks() -> None:
    """Add the report's checks to inspection.readiness (called from ReportsConfig.ready)."""
    readiness.register_check("reports.ratings", missing_ratings)
    readiness.register_check("reports.text", missing_text)
    readiness.register_check("reports.names", missing_names)
    readiness.register_check("reports.quality_assurance", missing_quality_assurance)


def grouped(found: list[Missing]) -> list[tuple[str, list[Missing]]]:
    """What is missing, by group, groups in the order they first appear."""
    groups: dict[str, list[Missing]] = {}
    for item in found:
        groups.setdefault(item.group or "Other", []).append(item)
    return list(groups.items())
