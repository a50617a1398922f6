"""The population template fits the inspection; "not applicable" where a field does not apply."""

import csv
import io

import pytest
from django.urls import reverse

from casefiles.models import Case
from casefiles.sampling.population import (
    COLUMNS,
    TemplateOrganisation,
    parse_population,
    template_csv,
)
from casefiles.sampling.services import population_upload, sample_draw
from inspection.models import Organisation
from tests.casefiles.sampling.test_sample_views import error_summary, text, through_job
from tests.conftest import make_inspection

ORGANISATIONS = [
    TemplateOrganisation("bd-yos", "Barking and Dagenham YOS", True),
    TemplateOrganisation("bd-pdu", "Barking and Dagenham PDU", False),
]


def _rows(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content)))


def _line(organisation: str, wellbeing: str, reference: str = "A1") -> list[str]:
    return [
        reference,
        "court_disposal",
        organisation,
        "male",
        "community_order",
        "low",
        wellbeing,
        "2017-09-01",
    ]


def _csv(*lines: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(COLUMNS), *lines])
    return buffer.getvalue().encode()


def test_the_template_names_the_inspections_organisations_and_sample_types():
    content = template_csv(ORGANISATIONS, ["court_disposal", "out_of_court"])
    header, *rows = _rows(content)
    assert header == list(COLUMNS)
    assert [(row[1], row[2]) for row in rows] == [
        ("Court disposal", "bd-yos"),
        ("Out-of-court disposal", "bd-yos"),
        ("Court disposal", "bd-pdu"),
        ("Out-of-court disposal", "bd-pdu"),
    ]
    # An adult's case: safety and wellbeing does not apply.
    assert [row[6] for row in rows if row[2] == "bd-pdu"] == ["Not applicable"] * 2
    assert all(row[6] in {"Low", "Medium"} for row in rows if row[2] == "bd-yos")
    # What it says is what the upload accepts.
    parsed, problems = parse_population(
        "template.csv", content.encode(), organisations={"bd-yos", "bd-pdu"}, youth={"bd-yos"}
    )
    assert problems == []
    assert [row.safety_and_wellbeing for row in parsed if row.organisation == "bd-pdu"] == [
        "",
        "",
    ]


@pytest.mark.parametrize("written", ["Not applicable", "not applicable", "N/A", "n/a", "NA"])
def test_not_applicable_is_accepted_for_an_adults_safety_and_wellbeing(written):
    rows, problems = parse_population(
        "cases.csv", _csv(_line("bd-pdu", written)), organisations={"bd-pdu"}, youth=set()
    )
    assert problems == []
    assert rows[0].safety_and_wellbeing == ""


def test_not_applicable_is_refused_for_a_child_and_where_the_field_always_applies():
    rows, problems = parse_population(
        "cases.csv",
        _csv(
            _line("bd-yos", "Not applicable", "Y1"),
            [*_line("bd-pdu", "low", "P1")[:5], "n/a", "low", "2017-09-01"],
        ),
        organisations={"bd-yos", "bd-pdu"},
        youth={"bd-yos"},
    )
    assert rows == []
    assert [(p.row, p.column) for p in problems] == [
        (2, "safety_and_wellbeing"),
        (3, "risk_of_serious_harm"),
    ]
    assert "only for adults' cases: bd-yos supervises children" in problems[0].message
    assert "'n/a' is not a known risk of serious harm level" in problems[1].message


@pytest.mark.django_db
def test_the_template_download_fits_the_inspection(login, people, yos_framework, area):
    youth = Organisation.objects.create(slug="bd-yos", name="B and D YOS", kind="yos", area=area)
    adult = Organisation.objects.create(slug="bd-pdu", name="B and D PDU", kind="pdu", area=area)
    inspection = make_inspection(
        framework=yos_framework, organisations=[youth, adult], people=people
    )
    response = login(people.inspector).get(
        reverse("casefiles:sample_template", args=[inspection.reference])
    )
    assert response.status_code == 200
    assert f"eligible-cases-{inspection.reference}.csv" in response["Content-Disposition"]
    header, *rows = _rows(response.content.decode("utf-8-sig"))
    assert {row[2] for row in rows} == {"bd-yos", "bd-pdu"}
    kinds = {row[1] for row in rows}
    assert kinds == {"Court disposal", "Out-of-court disposal"}  # the framework's samples
    assert "example-yot" not in response.content.decode()


@pytest.mark.django_db
def test_an_adults_case_drawn_with_not_applicable_says_so(
    login, people, yos_framework, area, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    adult = Organisation.objects.create(slug="bd-pdu", name="B and D PDU", kind="pdu", area=area)
    youth = Organisation.objects.create(slug="bd-yos", name="B and D YOS", kind="yos", area=area)
    inspection = make_inspection(
        framework=yos_framework, organisations=[adult, youth], people=people
    )
    lead = login(people.lead)
    bad = _csv(_line("bd-yos", "N/A", "Y1"))
    response = through_job(
        lead,
        lambda: lead.post(
            reverse("casefiles:sample_upload", args=[inspection.reference]),
            {"file": _uploaded("bad.csv", bad)},
        ),
    )
    assert "only for adults' cases" in text(response)
    assert error_summary(response)[0].startswith("bad.csv has 1 problem")

    result = population_upload(
        inspection=inspection,
        filename="ok.csv",
        data=_csv(_line("bd-pdu", "Not applicable", "P1"), _line("bd-yos", "low", "Y1")),
        by=people.lead,
    )
    assert result.problems == []
    sample_draw(inspection=inspection, seed=1, by=people.lead)
    case = Case.objects.get(reference="P1")
    assert (case.subject_kind, case.safety_and_wellbeing) == ("adult", "")
    page = lead.get(reverse("casefiles:detail", args=[case.public_id]))
    assert "Safety and wellbeing Not applicable" in text(page)


def _uploaded(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
