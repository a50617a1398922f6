"""A report fit to publish: the overall rating only when whole, the check before publication
(everything missing, with links, never "all clear" while anything is), DRAFT on every page
until approval, a thematic report without ratings, and the PDF's structure (pikepdf)."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pikepdf
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from casefiles.models import Case
from inspection import readiness
from inspection.models import Area, Domain, Inspection, Organisation, Standard
from inspection.rating_rules import DEFAULT_FRAMEWORK_RULES, RATING_NAMES, RatingRules, Tally
from judgements.rules import case_questions
from judgements.services import case_submit
from judgements.services.moderation import case_return
from reports.ratings.engine import KeyQuestionDef, StandardDef, rate_tallies
from reports.ratings.selectors import LeftOut, RatingSummary, overall_rating
from reports.writing import services
from reports.writing.check import (
    GROUP_NAMES,
    GROUP_QA,
    GROUP_RATINGS,
    GROUP_TEXT,
    missing_names,
)
from reports.writing.pdf import report_pdf
from tests.conftest import make_case, make_inspection
from tests.reports.ratings.test_ratings_db import (
    rate_organisation_standards,
    score_cases,
    seed004_subset,
    split_by_number,
)
from tests.reports.writing.test_report_pdf import build_seed004, write_report

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")

RULES = RatingRules.from_framework_dict(DEFAULT_FRAMEWORK_RULES)
REF = "yos-bd-2018"


def pages_text(data: bytes) -> list[str]:
    return [
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    ]


def url(name, *args):
    return reverse(f"reports:{name}", args=[REF, *args])


# The overall rating, only when whole (no database) -------------------------------------------

STANDARDS = [
    StandardDef("1.1", "Governance", "organisation"),
    StandardDef("2.1", "Assessment", "cases", (KeyQuestionDef("2.1.1", "Q"),)),
    StandardDef("2.2", "Planning", "cases", (KeyQuestionDef("2.2.1", "Q"),)),
]


def summary(*, tallies, ratings, counted=10, left_out=()):
    result = rate_tallies(
        standards=STANDARDS,
        tallies=tallies,
        organisation_ratings=ratings,
        rules=RULES,
        cases_counted=counted,
    )
    return RatingSummary(
        inspection=None,
        result=result,
        cases_in_sample=counted + sum(n for _, n in left_out),
        cases_counted=counted,
        left_out=tuple(LeftOut(status, n) for status, n in left_out),
    )


def test_the_overall_rating_shows_when_every_standard_that_can_be_rated_is():
    whole = overall_rating(
        summary(
            tallies={("Org", "2.1.1"): Tally(9, 1, 0), ("Org", "2.2.1"): Tally(9, 1, 0)},
            ratings={"1.1": "Good"},
        )
    )
    assert whole.is_whole and whole.rating == "Outstanding" and whole.missing == ()


def test_an_unrated_organisation_standard_holds_the_overall_rating_back():
    # The engine alone would give an overall rating from the two case-judged standards.
    parts = summary(
        tallies={("Org", "2.1.1"): Tally(9, 1, 0), ("Org", "2.2.1"): Tally(9, 1, 0)},
        ratings={},
    )
    assert parts.result.rating is not None
    whole = overall_rating(parts)
    assert whole.rating is None
    assert whole.missing == ("Standard 1.1 Governance is not yet rated by the lead inspector.",)


def test_a_standard_with_no_applicable_case_is_left_out_not_missing():
    whole = overall_rating(
        summary(
            tallies={("Org", "2.1.1"): Tally(9, 1, 0), ("Org", "2.2.1"): Tally(0, 0, 10)},
            ratings={"1.1": "Good"},
        )
    )
    assert whole.is_whole and whole.left_out == ("2.2",)


def test_cases_still_to_submit_hold_the_overall_rating_back():
    whole = overall_rating(
        summary(
            tallies={("Org", "2.1.1"): Tally(9, 1, 0), ("Org", "2.2.1"): Tally(0, 0, 10)},
            ratings={"1.1": "Good"},
            left_out=(("In progress", 3),),
        )
    )
    assert whole.rating is None
    # Not yet left out: the cases still to come may make 2.2 rated.
    assert whole.left_out == ()
    assert whole.missing == (
        "3 cases in the sample are not yet submitted, so the figures may still change.",
    )
    nothing = overall_rating(summary(tallies={}, ratings={"1.1": "Good"}, counted=0))
    assert nothing.missing == ("No case in the sample has been submitted yet.",)


def test_an_overall_rating_the_framework_withholds_is_not_missing_work():
    # The framework's own rules (too few cases counted) give no overall rating: nothing is
    # missing, and the report says why there is none.
    from types import SimpleNamespace

    result = SimpleNamespace(
        standards=(), rating=None, unrated_because="fewer than 10 cases were counted"
    )
    withheld = overall_rating(
        RatingSummary(
            inspection=None, result=result, cases_in_sample=4, cases_counted=4, left_out=()
        )
    )
    assert withheld.is_whole and withheld.rating is None
    assert withheld.withheld == "fewer than 10 cases were counted"


# The check before publication ---------------------------------------------------------------


@pytest.fixture
def unwritten(inspection, people):
    """One case in progress, nothing written."""
    make_case(inspection, inspector=people.inspector)  # Jayden Morgan, case manager Sam Collier
    return inspection


def test_everything_missing_is_listed_with_a_link(unwritten, people):
    found = readiness.missing(unwritten)
    texts = [(m.group, m.text) for m in found]
    assert (GROUP_RATINGS, "No case in the sample has been submitted yet.") in texts
    for code in ["1.1", "1.2", "1.3", "1.4"]:
        standard = Standard.objects.get(framework=unwritten.framework, code=code)
        assert (
            GROUP_RATINGS,
            f"Standard {code} {standard.title} is not yet rated by the lead inspector.",
        ) in texts
    assert (GROUP_TEXT, "The foreword is not written.") in texts
    for domain in Domain.objects.filter(framework=unwritten.framework):
        assert (
            GROUP_TEXT,
            f"The key findings about {domain.code}. {domain.title} are not written.",
        ) in texts
    for standard in Standard.objects.filter(framework=unwritten.framework):
        assert (
            GROUP_TEXT,
            f"The narrative of standard {standard.code} {standard.title} is not written.",
        ) in texts
    assert (GROUP_TEXT, "No recommendation is written.") in texts
    assert (GROUP_TEXT, "No key fact is written.") in texts
    assert (
        GROUP_TEXT,
        "The methodology has no sample to describe: no case is submitted.",
    ) in texts
    assert all(m.url.startswith("/") for m in found)
    links = {m.text: m.url for m in found}
    assert links["The foreword is not written."] == url("report_foreword")
    assert links["No key fact is written."] == url("report_item_add", "key-facts")
    assert links[
        "Standard 1.1 Governance and leadership is not yet rated by the lead inspector."
    ] == reverse("judgements:organisation_rating_edit", args=[REF, "bd-yos", "1.1"])
    assert not readiness.is_ready(unwritten)


def test_the_check_page_lists_the_missing_things_and_is_never_all_clear_while_any_are(
    unwritten, people, login
):
    page = login(people.lead).get(url("report_check")).content.decode()
    assert "must be done before publication" in page
    assert "Nothing is missing" not in page and "govuk-panel--confirmation" not in page
    assert (
        f'<a class="govuk-link" href="{url("report_foreword")}">The foreword is not written.</a>'
        in page
    )
    for group in (GROUP_RATINGS, GROUP_TEXT):
        assert '<h2 class="govuk-heading-m" id="group-' in page and group in page


def test_a_check_registered_by_another_app_shows_on_the_page(unwritten, people, login):
    def concerns(inspection):
        return [
            readiness.Missing("A safeguarding concern is still open.", "/concerns/", "Safeguarding")
        ]

    readiness.register_check("tests.safeguarding", concerns)
    try:
        page = login(people.lead).get(url("report_check")).content.decode()
    finally:
        readiness._checks.pop("tests.safeguarding")
    assert "Safeguarding" in page
    assert (
        '<a class="govuk-link" href="/concerns/">A safeguarding concern is still open.</a>' in page
    )


def test_a_case_returned_by_quality_assurance_is_missing_until_resubmitted(unwritten, people):
    case = Case.objects.get(inspection=unwritten)
    from judgements.rules import applicable_questions
    from judgements.services import AnswerInput, answers_record

    questions = applicable_questions(case, case_questions(unwritten.framework))
    answers_record(
        case=case,
        answers=[AnswerInput(question=q, value="yes", note="Seen.") for q in questions],
        actor=people.inspector,
    )
    case_submit(case=case, actor=people.inspector)
    assert not [m for m in readiness.missing(unwritten) if m.group == GROUP_QA]
    case_return(case=case, moderator=people.qa, reasons={questions[0]: "Say more."})
    qa = [m for m in readiness.missing(unwritten) if m.group == GROUP_QA]
    assert [m.text for m in qa] == [
        "Case C-001 was returned by quality assurance and is not yet put right."
    ]
    assert qa[0].url == reverse("casefiles:detail", args=[case.public_id])


@pytest.mark.parametrize(
    "written",
    [
        "We met jayden morgan.",  # lower case
        "We met JAYDEN-MORGAN.",  # joined by a hyphen
        "We met JaydenMorgan.",  # written together
        "We met Jayden Mοrgan.",  # a Greek omicron for the o
        "We met Jаyden.",  # a Cyrillic a
        "We met Jay\u200bden.",  # a zero-width space
        "We met Jáyden.",  # an accent
        "We met Sam Collier.",  # the case manager
        "We met \u03f9ollier.",  # a Greek lunate capital sigma for the C
        "We met SAM-COLLIER.",  # capitals joined by a hyphen
    ],
)
def test_the_check_finds_a_real_name_however_disguised(unwritten, people, written):
    services.report_foreword_save(inspection=unwritten, foreword=written, actor=people.lead)
    found = missing_names(unwritten)
    assert len(found) == 1, written
    assert found[0].group == GROUP_NAMES
    assert found[0].text.startswith("The real name “") and found[0].text.endswith(
        " is in Foreword."
    )
    assert found[0].url == url("report_foreword")


# The PDF: draft until approved ----------------------------------------------------------------


def approve(inspection, people, *, published=None):
    Inspection.objects.filter(pk=inspection.pk).update(
        approved_by=people.manager, approved_at=timezone.now(), published_at=published
    )
    inspection.refresh_from_db()


def test_a_draft_says_draft_on_every_page_and_an_approved_report_on_none(unwritten, people):
    draft = pages_text(report_pdf(unwritten)[0])
    assert len(draft) > 5
    assert all("DRAFT" in page for page in draft)
    today = timezone.localdate()
    assert f"Draft of {today.day} {today:%B %Y}" in draft[0]
    # The cover: no page number; the inspectorate and the partner's; the licence and thanks.
    assert "Page 1 of" not in draft[0] and "Page 2 of" in draft[1]
    assert "HM Inspectorate of Probation with Ofsted" in draft[0]
    assert "Open Government Licence" in draft[0]
    assert "We would like to thank all those who helped plan and took part" in draft[0]

    approve(unwritten, people)
    approved = pages_text(report_pdf(unwritten)[0])
    assert not any("DRAFT" in page or "Draft" in page for page in approved)

    published = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    approve(unwritten, people, published=published)
    cover = pages_text(report_pdf(unwritten)[0])[0]
    assert "DECEMBER 2026" in cover and "Draft of" not in cover


def test_an_incomplete_service_report_says_not_yet_rated_and_what_is_missing(unwritten):
    text = " ".join(pages_text(report_pdf(unwritten)[0]))
    assert "Overall rating: Not yet rated" in text
    assert "Overall rating: not yet rated." in text
    assert "No case in the sample has been submitted yet." in text
    assert "is not yet rated by the lead inspector" in text


# A thematic report publishes no ratings -------------------------------------------------------


@pytest.fixture
def thematic(yos_framework, people, area):
    reading = Area.objects.create(
        slug="reading", name="Reading", police_force_area="Thames Valley", region="South"
    )
    first = Organisation.objects.create(
        slug="bd-yos", name="Barking and Dagenham YOS", kind="yos", area=area
    )
    second = Organisation.objects.create(
        slug="reading-yot", name="Reading YOT", kind="yot", area=reading
    )
    inspection = make_inspection(
        framework=yos_framework,
        organisations=[first, second],
        people=people,
        reference="thematic-2018",
        kind=Inspection.Kind.THEMATIC,
    )
    score_cases(
        inspection,
        people,
        seed004_subset(court=6, out_of_court=4),
        organisation_of=split_by_number(first, second),
    )
    # Even the lead's organisation ratings, were they recorded, are not published.
    rate_organisation_standards(inspection, second, people)
    return inspection


def test_a_thematic_pdf_has_no_rating_in_the_places_of_ratings(thematic):
    text = " ".join(pages_text(report_pdf(thematic)[0]))
    assert "Overall rating" not in text and "Summary of ratings" not in text
    assert "is rated as" not in text
    for rating in RATING_NAMES:
        assert rating not in text, rating
    assert "Not rated" not in text and "not yet rated" not in text.lower()
    # Each key question and prompt, n of N (p%), organisations side by side.
    assert "Barking and Dagenham YOS Reading YOT All organisations" in text
    assert re.search(
        r"2\.1\.1 .+? \d+ of \d+ \(\d+%\) \d+ of \d+ \(\d+%\) \d+ of \d+ \(\d+%\)", text
    )
    prompts = [q for q in case_questions(thematic.framework) if q.parent_id is not None]
    assert prompts and prompts[0].code in text
    # The comparison charts, with their axes and a legend naming the organisations.
    assert "% yes per key question, by organisation" in text
    assert "Vertical axis: Key question and organisation" in text
    assert "A Barking and Dagenham YOS" in text and "B Reading YOT" in text
    # The case profile, by organisation.
    assert "Annex 2 – Profile of the cases read" in text
    assert "Case files read 5 5 10" in text


def test_the_thematic_page_shows_prompts_under_their_key_question(thematic, people, login):
    page = login(people.lead).get(reverse("reports:ratings_tables", args=["thematic-2018"]))
    html = page.content.decode()
    prompts = [q for q in case_questions(thematic.framework) if q.parent_id is not None]
    assert 'class="govuk-table__row app-prompt-row"' in html
    assert prompts[0].code in html
    assert "A thematic report publishes no ratings." in html
    # The chart comparing the organisations, after its table, with axes and a legend.
    assert "2.1 Assessment: % yes per key question, by organisation" in html
    assert "Vertical axis: Key question and organisation." in html
    assert (
        "Legend: <strong>A</strong> Barking and Dagenham YOS; <strong>B</strong> Reading YOT."
        in html
    )


# The PDF's structure (PDF/UA), read with pikepdf ----------------------------------------------


def _kids(node):
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _elements(pdf):
    """Every structure element reachable from the root, in reading order."""
    found = []
    stack = list(reversed(_kids(pdf.Root.StructTreeRoot)))
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            stack.extend(reversed([k for k in _kids(node) if isinstance(k, pikepdf.Dictionary)]))
    return found


@pytest.mark.django_db
def test_the_pdf_structure_holds_across_pages(inspection, organisation, people):
    cases = build_seed004(inspection, organisation, people)
    write_report(inspection, people, cases)
    data, _ = report_pdf(inspection)
    pdf = pikepdf.open(io.BytesIO(data))
    elements = _elements(pdf)
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}

    # Tables: one Table element per table of the document, each starting with its caption,
    # and at least one of them running over a page break.
    tables = [e for e in elements if e.S == "/Table"]
    assert len(tables) == len(re.findall(r"<table\b", _html(inspection)))
    crossing = 0
    for table in tables:
        kinds = [k.S for k in _kids(table) if isinstance(k, pikepdf.Dictionary)]
        assert kinds[0] == "/Caption", kinds
        assert kinds.count("/THead") == 1 and kinds.count("/TBody") == 1
        body = next(k for k in _kids(table) if k.S == "/TBody")
        rows_on = {pages[row.Pg.objgen] for row in _kids(body) if "/Pg" in row}
        crossing += len(rows_on) > 1
    assert crossing >= 1

    # Figures: a box in points, inside the page.
    figures = [e for e in elements if e.S == "/Figure"]
    assert figures
    for figure in figures:
        x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
        width, height = (float(v) for v in figure.Pg.MediaBox[2:])
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
        assert str(figure.Alt)

    # Running header and footer: pagination artifacts on every page, and every other piece of
    # tagged content belongs to an element of the tree.
    held: dict[int, set[int]] = {}
    for element in elements:
        for kid in _kids(element):
            if isinstance(kid, int):
                held.setdefault(pages[element.Pg.objgen], set()).add(int(kid))
    for index, page in enumerate(pdf.pages):
        artifacts, mcids = 0, set()
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) != "BDC":
                continue
            tag, properties = operands
            if str(tag) == "/Artifact" and properties.get("/Type") == "/Pagination":
                artifacts += 1
            elif isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                mcids.add(int(properties.MCID))
        # The cover has its DRAFT label only; the other pages the title, DRAFT and the number.
        assert artifacts >= (1 if index == 0 else 3), index
        assert mcids <= held.get(index, set()), index

    # Links: described in words, not by their target.
    annotations = [a for page in pdf.pages for a in page.get("/Annots", [])]
    descriptions = {str(a.Contents) for a in annotations if a.Subtype == "/Link"}
    assert "Foreword" in descriptions and "Annex 1 – Methodology" in descriptions
    assert "foreword" not in descriptions
    assert not any(d.startswith(("http", "#")) for d in descriptions)


def _html(inspection) -> str:
    from reports.writing.document import report_document
    from reports.writing.pdf import ReportPdf

    return ReportPdf(report_document(inspection)).html()


# The methodology states the sample as drawn ---------------------------------------------------


def test_the_methodology_states_the_sample_as_drawn(inspection, people, login):
    from casefiles.sampling.models import DrawnCase, SampleDraw
    from casefiles.sampling.services import drawn_case_replace, population_upload, sample_draw
    from reports.writing.document import report_document
    from tests.support.sample_population import csv_bytes, population_rows

    population_upload(
        inspection=inspection,
        filename="eligible.csv",
        data=csv_bytes(population_rows()),
        by=people.lead,
    )
    draw = sample_draw(inspection=inspection, seed=2018, by=people.lead)
    # A drawn case whose stratum has a reserve left to bring in.
    with_reserves = DrawnCase.objects.filter(
        draw=draw, status=DrawnCase.Status.RESERVE
    ).values_list("stratum", flat=True)
    entry = DrawnCase.objects.filter(
        draw=draw, status=DrawnCase.Status.SELECTED, stratum__in=list(with_reserves)
    ).first()
    drawn_case_replace(entry=entry, reason="The case was transferred out.", by=people.lead)
    make_case(inspection, reference="BY-HAND-1", inspector=people.inspector)

    m = report_document(inspection).methodology
    draw = SampleDraw.objects.get(inspection=inspection)
    assert m.drawn
    assert m.in_sample == Case.objects.filter(inspection=inspection).count()
    assert m.added == ["BY-HAND-1"]
    assert sum(row.drawn for row in m.sizes) == sum(row.allocated for row in m.strata)
    assert sum(row.drawn for row in m.sizes) + len(m.added) == m.in_sample
    assert {row.eligible for row in m.sizes} == {v["eligible"] for v in draw.sizes.values()}
    assert [(r.removed, r.reason) for r in m.replaced] == [
        (entry.reference, "The case was transferred out.")
    ]
    assert m.confidence_text == f"{round(draw.confidence * 100)} per cent"
    assert m.margin_text.endswith("percentage points")

    text = " ".join(
        unescape_tags(login(people.lead).get(url("report_preview")).content.decode()).split()
    )
    assert (
        f"confidence level of {m.confidence_text} with a margin of error of {m.margin_text}" in text
    )
    assert "The sample as drawn: sizes by sample type" in text
    assert "The sample as drawn: cases by stratum" in text
    assert f"{entry.reference} replaced by" in text and "The case was transferred out." in text
    assert (
        "1 case was added to the sample by the lead inspector outside the draw: BY-HAND-1." in text
    )
    assert f"{m.in_sample} cases were in the sample, 1 of them added outside the draw." in text


def unescape_tags(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_a_thematic_report_needs_no_ratings_but_every_case_submitted(thematic, people):
    from reports.writing.check import missing_ratings

    assert missing_ratings(thematic) == []
    make_case(thematic, reference="C-900", inspector=people.inspector)
    found = missing_ratings(thematic)
    assert [m.text for m in found] == [
        "1 case in the sample is not yet submitted, so the figures may still change."
    ]
    assert found[0].url == reverse("casefiles:list", args=["thematic-2018"])


def test_the_report_page_says_how_much_is_missing(unwritten, people, login):
    page = login(people.lead).get(url("report")).content.decode()
    count = len(readiness.missing(unwritten))
    assert f"{count} things must be done before the report is approved" in page
