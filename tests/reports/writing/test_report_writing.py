"""Writing the report: the lead's forms, pseudonyms for the people in the case files, and the
check before publication that lists any real name still in the report's text."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from casefiles.models import LinkedChild
from inspection.models import Domain, Organisation, Standard
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
from reports.writing import services as services
from reports.writing.check import lines, publication_check
from reports.writing.document import report_document
from reports.writing.people import pseudonymiser_for
from reports.writing.pseudonyms import (
    ANY_NAMES,
    FEMALE_NAMES,
    MALE_NAMES,
    SURNAMES,
    Person,
    Pseudonymiser,
    assign_pseudonyms,
)
from tests.conftest import make_case, make_inspection

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")


def url(name, inspection, *args):
    return reverse(f"reports:{name}", args=[inspection.reference, *args])


def page_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def error_summary(response) -> str:
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html, "no error summary on the page"
    start = html.index('class="govuk-error-summary"')
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start : start + 3000])).split())


# Pseudonyms, in plain Python ----------------------------------------------------------------


def pseudonymiser(people, salt="yos-bd-2018"):
    return Pseudonymiser(people, assign_pseudonyms(people, {}, salt=salt))


CAST = [
    Person("Jayden Morgan", "the person supervised", "C-001", "male"),
    Person("Leah Morgan", "a linked child", "C-001"),
    Person("Sam Collier", "the case manager", "C-001"),
    Person("Shanice Young", "the person supervised", "C-002", "female"),
]


def test_a_real_name_always_gets_the_same_pseudonym():
    names = pseudonymiser(CAST)
    full = names.pseudonym_of("Jayden Morgan")
    first, last = full.split()
    text = names.replace(
        "Jayden Morgan was seen at home. Jayden's sister Leah Morgan was there; "
        "JAYDEN MORGAN's plan named jayden  morgan and Mr Morgan."
    )
    assert text == (
        f"{full} was seen at home. {first}'s sister {names.pseudonym_of('Leah Morgan')} was "
        f"there; {full.upper()}'s plan named {full} and Mr {last}."
    )
    # Siblings keep a shared surname; the same inputs always give the same pseudonyms.
    assert names.pseudonym_of("Leah Morgan").split()[1] == last
    assert pseudonymiser(CAST).pseudonym_of("Jayden Morgan") == full
    assert assign_pseudonyms(CAST, {}, salt="x") == assign_pseudonyms(CAST, {}, salt="x")


def test_a_single_name_is_matched_only_as_a_name():
    names = pseudonymiser(CAST)
    text = "Shanice Young and other children and young people; Young was seen."
    replaced = names.replace(text)
    assert "children and young people" in replaced
    assert "Young" not in replaced and "Shanice" not in replaced
    # A name inside another word is not a name.
    assert names.replace("Samuel Colliery") == "Samuel Colliery"


def test_the_child_supervised_gets_a_first_name_of_their_recorded_gender():
    names = pseudonymiser(CAST)
    assert names.pseudonym_of("Jayden Morgan").split()[0] in MALE_NAMES
    assert names.pseudonym_of("Shanice Young").split()[0] in FEMALE_NAMES
    assert names.pseudonym_of("Sam Collier").split()[0] in ANY_NAMES


def test_a_pseudonym_is_never_a_real_name_in_the_inspection():
    # Everyone has a name from the lists the pseudonyms are drawn from.
    people = [
        Person(f"{first} {SURNAMES[i]}", "the person supervised", f"C-{i}", "male")
        for i, first in enumerate(MALE_NAMES)
    ]
    names = pseudonymiser(people)
    real = {word for person in people for word in person.name.split()}
    for person in people:
        changed = names.pseudonym_of(person.name).split()
        assert not real & set(changed), person.name


def test_existing_pseudonyms_are_kept_and_not_given_again():
    first = assign_pseudonyms(CAST[:1], {}, salt="s")
    later = assign_pseudonyms(CAST, first, salt="s")
    assert not set(first) & set(later)
    assert not set(first.values()) & set(later.values())


NAME = st.sampled_from(MALE_NAMES + FEMALE_NAMES + ANY_NAMES + ("Morgan", "Eddie", "Young"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(NAME, st.sampled_from(SURNAMES + ("Morgan",))), min_size=1, max_size=40),
    st.text(min_size=1, max_size=12),
)
def test_pseudonyms_are_unique_and_never_real(pairs, salt):
    people = [Person(f"{a} {b}", "the person supervised", str(i)) for i, (a, b) in enumerate(pairs)]
    chosen = assign_pseudonyms(people, {}, salt=salt)
    real = {w.casefold() for a, b in pairs for w in (a, b)}
    assert not real & {v.casefold() for v in chosen.values()}
    for part in ("first", "last"):
        values = [v for (p, _), v in chosen.items() if p == part]
        assert len(values) == len(set(values))
    names = Pseudonymiser(people, chosen)
    text = " ".join(p.name for p in people)
    assert not names.find(names.replace(text))


# Pseudonyms in the database -----------------------------------------------------------------


@pytest.fixture
def case_with_family(inspection, people):
    case = make_case(inspection, inspector=people.inspector)  # Jayden Morgan, Sam Collier
    LinkedChild.objects.create(case=case, name="Leah Morgan", relationship="sibling")
    return case


def test_pseudonyms_are_kept_once_chosen(inspection, case_with_family, people):
    before = pseudonymiser_for(inspection).pseudonym_of("Jayden Morgan")
    # First names Jayden, Leah and Sam; surnames Morgan and Collier.
    assert Pseudonym.objects.filter(inspection=inspection).count() == 5
    # A new case whose names come first in the order does not move the pseudonyms chosen.
    make_case(inspection, reference="A-000", subject_name="Aaron Abbott", case_manager="Kim Lee")
    assert pseudonymiser_for(inspection).pseudonym_of("Jayden Morgan") == before
    assert Pseudonym.objects.filter(inspection=inspection).count() == 9


def test_the_same_name_in_two_inspections_may_differ_but_is_stable(
    inspection, case_with_family, people, yos_framework, organisation
):
    other = make_inspection(
        framework=yos_framework,
        organisations=[organisation],
        people=type(people)(**{**people.__dict__, "lead": people.outsider}),
        reference="other-2019",
    )
    make_case(other)
    one = pseudonymiser_for(other).pseudonym_of("Jayden Morgan")
    assert pseudonymiser_for(other).pseudonym_of("Jayden Morgan") == one


# The check before publication ----------------------------------------------------------------


def test_the_check_finds_a_real_name_pasted_into_a_narrative(
    inspection, case_with_family, people, login
):
    standard = Standard.objects.get(framework=inspection.framework, code="2.1")
    services.standard_text_save(
        inspection=inspection,
        standard=standard,
        narrative="Assessments were good.\n\nIn one case Leah Morgan's safety was not assessed.",
        strengths="",
        areas_for_improvement="",
        actor=people.lead,
    )
    services.report_foreword_save(
        inspection=inspection, foreword="No names here.", actor=people.lead
    )

    findings = publication_check(inspection)
    assert [(f.location, f.name) for f in findings] == [
        ("Standard 2.1 Assessment: narrative", "Leah Morgan")
    ]
    assert findings[0].whose == "a linked child in case C-001"
    assert findings[0].url == url("report_standard", inspection, "2.1")

    response = login(people.lead).get(url("report_check", inspection))
    assert response.status_code == 200
    text = page_text(response)
    assert "The real name “Leah Morgan” is in Standard 2.1 Assessment: narrative" in text
    assert "Real names in the report's text" in text
    assert url("report_standard", inspection, "2.1") in response.content.decode()

    # Once the name is changed, the check is clear.
    services.standard_text_save(
        inspection=inspection,
        standard=standard,
        narrative="In one case a sibling's safety was not assessed.",
        strengths="",
        areas_for_improvement="",
        actor=people.lead,
    )
    assert publication_check(inspection) == []
    text = page_text(login(people.lead).get(url("report_check", inspection)))
    assert "Real names in the report's text" not in text and "Leah Morgan" not in text
    # Much else is still missing (no recommendation, no key fact...): never "all clear".
    assert "No recommendation is written." in text
    assert "Nothing is missing" not in text


def test_the_check_reads_every_section(inspection, case_with_family, people):
    lead = people.lead
    domain = Domain.objects.get(framework=inspection.framework, code="2")
    services.domain_findings_save(
        inspection=inspection, domain=domain, key_findings="Sam Collier's plans", actor=lead
    )
    services.recommendation_save(
        inspection=inspection, addressed_to="The board", text="Listen to Jayden.", actor=lead
    )
    services.key_fact_save(
        inspection=inspection, label="Cases", value="1", comparison="", source="Morgan", actor=lead
    )
    services.practice_example_save(
        inspection=inspection,
        case=case_with_family,
        standard=None,
        title="Jayden's plan",
        quote="Collier called.",
        actor=lead,
    )
    found = [(f.location, f.name) for f in publication_check(inspection)]
    assert found == [
        ("Key findings: 2. Court disposals", "Sam Collier"),
        ("Recommendation to The board", "Jayden"),
        ("Key fact Cases: source", "Morgan"),
        ("Practice example Jayden's plan: title", "Jayden"),
        ("Practice example Jayden's plan: quote", "Collier"),
    ]


def test_the_preview_prints_pseudonyms_not_real_names(inspection, case_with_family, people, login):
    services.report_foreword_save(
        inspection=inspection,
        foreword="We met Jayden Morgan, his sister Leah and Sam Collier, his case manager.",
        actor=people.lead,
    )
    services.practice_example_save(
        inspection=inspection,
        case=case_with_family,
        standard=Standard.objects.get(framework=inspection.framework, code="2.3"),
        title="Keeping Jayden safe",
        quote="Jayden called his YOS officer to say that he did not feel safe.",
        actor=people.lead,
    )
    names = pseudonymiser_for(inspection)
    response = login(people.colleague).get(url("report_preview", inspection))
    assert response.status_code == 200
    text = page_text(response)
    for real in ["Jayden", "Morgan", "Leah", "Sam", "Collier"]:
        assert not re.search(rf"\b{real}\b", text), real
    assert f"We met {names.pseudonym_of('Jayden Morgan')}, his sister" in text
    assert "Practice example: Keeping " in text
    html = response.content.decode()
    # Strict CSP: no inline styles or scripts; the report's stylesheet is linked.
    assert "style=" not in html and "<style" not in html
    assert "<script>" not in html and "<script " not in html.replace(
        '<script type="module" src', ""
    )
    assert "src/report_print.css" in html


def test_the_document_takes_the_same_queries_however_many_cases(inspection, people):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            report_document(inspection)
        return len(captured)

    make_case(inspection, reference="C-1")
    pseudonymiser_for(inspection)
    few = queries()
    for i in range(2, 8):
        case = make_case(inspection, reference=f"C-{i}", subject_name=f"Kyle Doe{i}")
        LinkedChild.objects.create(case=case, name=f"Amy Doe{i}", relationship="sibling")
    pseudonymiser_for(inspection)
    assert queries() == few


# The forms ----------------------------------------------------------------------------------


def test_the_lead_writes_the_foreword(inspection, people, login):
    client = login(people.lead)
    response = client.get(url("report_foreword", inspection))
    assert response.status_code == 200
    response = client.post(url("report_foreword", inspection), {"foreword": "  Our foreword.  "})
    assert response.status_code == 302
    assert response["Location"] == url("report", inspection)
    report = Report.objects.get(inspection=inspection)
    assert report.foreword == "Our foreword."
    assert report.updated_by == people.lead
    edit = ReportEdit.objects.get(report=report)
    assert (edit.actor, edit.section, edit.action) == (people.lead, "Foreword", "saved")
    assert "Our foreword." in page_text(client.get(url("report", inspection)))


def test_bad_input_shows_an_error_summary_and_saves_nothing(inspection, people, login):
    client = login(people.lead)
    response = client.post(url("report_foreword", inspection), {"foreword": "   "})
    assert response.status_code == 200
    assert "Enter the foreword" in error_summary(response)
    assert page_text(response).startswith("Error:") or "<title>Error:" in response.content.decode()
    response = client.post(url("report_standard", inspection, "2.1"), {"narrative": "x" * 20001})
    assert "Narrative must be 20000 characters or fewer" in error_summary(response)
    response = client.post(
        url("report_item_add", inspection, "recommendations"), {"addressed_to": "", "text": "Do"}
    )
    assert "Enter who should act on the recommendation" in error_summary(response)
    response = client.post(
        url("report_item_add", inspection, "key-facts"), {"label": "Rate", "value": ""}
    )
    assert "Enter the figure" in error_summary(response)
    assert not Report.objects.filter(inspection=inspection).exists()
    assert not Recommendation.objects.exists() and not KeyFact.objects.exists()


def test_key_findings_and_standard_text(inspection, people, login):
    client = login(people.lead)
    response = client.post(
        url("report_findings", inspection, "2"), {"key_findings": "- One\n\n* Two\n"}
    )
    assert response.status_code == 302
    findings = DomainFindings.objects.get(domain__code="2")
    assert lines(findings.key_findings) == ["One", "Two"]
    assert client.get(url("report_findings", inspection, "9")).status_code == 404

    response = client.post(
        url("report_standard", inspection, "2.2"),
        {
            "narrative": "Planning is weak.",
            "strengths": "Good desistance plans",
            "areas_for_improvement": "Safety plans\nContingency plans",
        },
    )
    assert response.status_code == 302
    text = StandardText.objects.get(standard__code="2.2")
    assert lines(text.areas_for_improvement) == ["Safety plans", "Contingency plans"]
    assert client.get(url("report_standard", inspection, "9.9")).status_code == 404


def test_recommendations_are_added_changed_and_removed(inspection, people, login):
    client = login(people.lead)
    add = url("report_item_add", inspection, "recommendations")
    for body in ["The Youth Justice Board", "The Director of Children's Services"]:
        response = client.post(add, {"addressed_to": body, "text": "Act."})
        assert response.status_code == 302
    first, second = Recommendation.objects.order_by("position")
    assert (first.position, second.position) == (1, 2)
    edit = url("report_item_edit", inspection, "recommendations", first.public_id)
    assert "The Youth Justice Board" in client.get(edit).content.decode()
    client.post(edit, {"addressed_to": "The YOS Management Board", "text": "Meet monthly."})
    first.refresh_from_db()
    assert (first.addressed_to, first.text) == ("The YOS Management Board", "Meet monthly.")

    remove = url("report_item_remove", inspection, "recommendations", second.public_id)
    assert "Are you sure" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert list(Recommendation.objects.all()) == [first]
    assert ReportEdit.objects.filter(action="removed").count() == 1
    assert client.get(url("report_item_add", inspection, "nonsense")).status_code == 404


def test_a_practice_example_quotes_one_of_the_inspections_cases(
    inspection, people, login, yos_framework, area
):
    case = make_case(inspection)
    elsewhere_org = Organisation.objects.create(slug="x", name="X YOS", kind="yos", area=area)
    elsewhere = make_inspection(
        framework=yos_framework,
        organisations=[elsewhere_org],
        people=type(people)(**{**people.__dict__}),
        reference="elsewhere",
    )
    foreign = make_case(elsewhere, reference="F-1")
    client = login(people.lead)
    add = url("report_item_add", inspection, "practice-examples")
    page = client.get(add).content.decode()
    assert "C-001 (court disposal)" in page and "F-1" not in page
    standard = Standard.objects.get(framework=inspection.framework, code="2.3")
    data = {"case": foreign.pk, "standard": standard.pk, "title": "T", "quote": "Q"}
    response = client.post(add, data)
    assert "Select one of this inspection's cases" in error_summary(response)
    assert not PracticeExample.objects.exists()
    response = client.post(add, {**data, "case": case.pk})
    assert response.status_code == 302
    example = PracticeExample.objects.get()
    assert (example.case, example.standard) == (case, standard)
    # Another inspection's example is not found from this one.
    other_url = url("report_item_edit", elsewhere, "practice-examples", example.public_id)
    assert client.get(other_url).status_code == 404


@pytest.mark.parametrize("who", ["inspector", "colleague", "qa", "partner", "manager"])
def test_only_the_lead_writes(inspection, people, login, who):
    client = login(getattr(people, who))
    assert client.get(url("report", inspection)).status_code == 200
    assert client.get(url("report_check", inspection)).status_code == 200
    for target in [
        url("report_foreword", inspection),
        url("report_findings", inspection, "1"),
        url("report_standard", inspection, "1.1"),
        url("report_item_add", inspection, "recommendations"),
    ]:
        assert client.get(target).status_code == 403
        assert client.post(target, {"foreword": "x", "narrative": "x"}).status_code == 403
    assert not Report.objects.exists()


def test_an_outsider_finds_nothing(inspection, people, login):
    services.recommendation_save(
        inspection=inspection, addressed_to="The board", text="Act.", actor=people.lead
    )
    item = Recommendation.objects.get()
    client = login(people.outsider)
    for target in [
        url("report", inspection),
        url("report_foreword", inspection),
        url("report_check", inspection),
        url("report_preview", inspection),
        url("report_item_edit", inspection, "recommendations", item.public_id),
        url("report_item_remove", inspection, "recommendations", item.public_id),
    ]:
        assert client.get(target).status_code == 404
    assert client.post(url("report_foreword", inspection), {"foreword": "x"}).status_code == 404


def test_sign_in_is_required_and_methods_are_limited(inspection, people, client, login):
    response = client.get(url("report", inspection))
    assert response.status_code == 302 and "/login/" in response["Location"]
    lead = login(people.lead)
    assert lead.post(url("report", inspection)).status_code == 405
    assert lead.post(url("report_check", inspection)).status_code == 405
    assert lead.post(url("report_preview", inspection)).status_code == 405
    assert lead.delete(url("report_foreword", inspection)).status_code == 405


def test_the_report_tab_and_overview(inspection, people, login, case_with_family):
    services.standard_text_save(
        inspection=inspection,
        standard=Standard.objects.get(framework=inspection.framework, code="2.1"),
        narrative="Jayden was assessed.",
        strengths="",
        areas_for_improvement="",
        actor=people.lead,
    )
    response = login(people.lead).get(url("report", inspection))
    html = response.content.decode()
    assert 'aria-current="page" href="' + url("report", inspection) in html
    text = page_text(response)
    assert "1 real name from the case files is still in the report's text" in text
    assert url("report_standard", inspection, "2.1") in html
    assert "Preview the report" in text and "Create the PDF" in text
    # Read-only for the rest of the team: no links to change anything.
    colleague = page_text(login(people.colleague).get(url("report", inspection)))
    assert "Only the lead inspector writes the report" in colleague
    assert (
        url("report_standard", inspection, "2.1")
        not in login(people.colleague).get(url("report", inspection)).content.decode()
    )
