"""The Sample pages: upload the eligible cases, set windows and size, draw, replace."""

import re
from datetime import date
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from casefiles.models import (
    Case,
    DrawnCase,
    Order,
    SampleDraw,
    SamplePopulation,
    SampleReplacement,
    SampleSizeOverride,
    SamplingPlan,
)
from casefiles.sampling.draw import sample_size
from casefiles.sampling.population import COLUMNS
from casefiles.sampling.services import population_upload, sample_draw
from inspection.models import Job
from judgements.models import Answer
from tests.conftest import make_inspection
from tests.support.sample_population import (
    csv_bytes,
    population_rows,
    rows_with_problems,
    xlsx_bytes,
)

SAMPLE_MODELS = [
    SamplePopulation,
    SamplingPlan,
    SampleSizeOverride,
    SampleDraw,
    DrawnCase,
    SampleReplacement,
    Case,
]


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain HTTP; in production it would be redirected to HTTPS first.
    settings.SECURE_SSL_REDIRECT = False


# Helpers ---------------------------------------------------------------------------------


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's words, without tags, with spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html(response))).split())


def title(response) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html(response), re.S).group(1)).strip()


def error_summary(response) -> list[str]:
    match = re.search(
        r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html(response), re.S
    )
    if not match:
        return []
    return [
        unescape(item).strip()
        for item in re.findall(r"<li><a [^>]*>(.*?)</a></li>", match.group(1), re.S)
    ]


def table_rows(response, table_id: str) -> list[list[str]]:
    """The body rows of a table, as lists of cell texts."""
    match = re.search(
        rf'<table[^>]*id="{table_id}".*?<tbody[^>]*>(.*?)</tbody>', html(response), re.S
    )
    assert match, f"no table {table_id}"
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SAMPLE_MODELS}


def url(name: str, inspection, *args) -> str:
    return reverse(f"casefiles:{name}", args=[inspection.reference, *args])


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    # Reading the file and drawing are background jobs: here they run as soon as the
    # request that starts them commits (see through_job).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def through_job(client, post):
    """Make the request `post()`; if it started a job, run the job and follow its page to
    where it ends (the job page itself when the job failed)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post()
    if response.status_code != 302 or not response["Location"].startswith("/jobs/"):
        return response
    return client.get(response["Location"], follow=True)


def upload(client, inspection, data: bytes, filename: str = "eligible.csv"):
    return through_job(
        client,
        lambda: client.post(
            url("sample_upload", inspection), {"file": SimpleUploadedFile(filename, data)}
        ),
    )


def draw(client, inspection, seed: str):
    return through_job(client, lambda: client.post(url("sample_draw", inspection), {"seed": seed}))


def ended_at(response) -> str:
    """The page a followed job ended on."""
    assert response.status_code == 200
    return response.redirect_chain[-1][0] if response.redirect_chain else ""


@pytest.fixture
def lead(login, people):
    return login(people.lead)


@pytest.fixture
def uploaded(inspection, people):
    """The inspection with the default population uploaded."""
    result = population_upload(
        inspection=inspection,
        filename="eligible.csv",
        data=csv_bytes(population_rows()),
        by=people.lead,
    )
    assert result.problems == []
    return inspection


@pytest.fixture
def drawn(uploaded, people):
    sample_draw(inspection=uploaded, seed=2018, by=people.lead)
    return uploaded


# Who may see and do what ------------------------------------------------------------------

READ_PAGES = ["sample", "sample_template", "sample_draw"]
LEAD_PAGES = [
    ("sample_upload", ()),
    ("sample_windows", ()),
    ("sample_precision", ()),
    ("sample_size_override", ("court_disposal",)),
]


def all_urls(inspection, entry=None) -> list[str]:
    urls = [url(name, inspection) for name in READ_PAGES]
    urls += [url(name, inspection, *args) for name, args in LEAD_PAGES]
    if entry is not None:
        urls.append(reverse("casefiles:sample_replace", args=[entry.public_id]))
    return urls


def test_every_page_needs_a_login(client, drawn):
    entry = DrawnCase.objects.filter(status=DrawnCase.Status.SELECTED).first()
    for address in all_urls(drawn, entry):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith("/login/"), address


def test_outsiders_are_told_nothing_exists(login, people, drawn):
    client = login(people.outsider)
    entry = DrawnCase.objects.filter(status=DrawnCase.Status.SELECTED).first()
    for address in all_urls(drawn, entry):
        assert client.get(address).status_code == 404, address
        assert client.post(address).status_code in {404, 405}, address
    assert client.post(url("sample_draw", drawn), {"seed": "1"}).status_code == 404


def test_wrong_methods_are_refused(lead, drawn):
    entry = DrawnCase.objects.filter(status=DrawnCase.Status.SELECTED).first()
    for address in all_urls(drawn, entry):
        assert lead.put(address).status_code == 405, address
        assert lead.delete(address).status_code == 405, address
    for name in ["sample", "sample_template"]:
        assert lead.post(url(name, drawn)).status_code == 405, name


@pytest.mark.parametrize("who", ["inspector", "qa", "partner", "manager"])
def test_only_the_lead_changes_the_sample(login, people, uploaded, who):
    client = login(getattr(people, who))
    before = counts()
    for name, args in LEAD_PAGES:
        assert client.get(url(name, uploaded, *args)).status_code == 403, name
    assert upload(client, uploaded, csv_bytes(population_rows())).status_code == 403
    assert client.post(url("sample_windows", uploaded), {}).status_code == 403
    assert client.post(url("sample_precision", uploaded), {}).status_code == 403
    assert client.post(url("sample_draw", uploaded), {"seed": "5"}).status_code == 403
    assert counts() == before
    assert not Job.objects.exists()
    # ...but they can read where sampling stands, and see no buttons that would change it.
    page = client.get(url("sample", uploaded))
    assert page.status_code == 200
    assert f'href="{url("sample_upload", uploaded)}"' not in html(page)
    draw_page = client.get(url("sample_draw", uploaded))
    assert draw_page.status_code == 200
    assert "The lead inspector draws the sample." in text(draw_page)


def test_a_non_lead_cannot_replace_a_drawn_case(login, people, drawn):
    entry = DrawnCase.objects.filter(status=DrawnCase.Status.SELECTED).first()
    client = login(people.inspector)
    address = reverse("casefiles:sample_replace", args=[entry.public_id])
    before = counts()
    assert client.get(address).status_code == 403
    assert client.post(address, {"reason": "Transferred"}).status_code == 403
    assert counts() == before


def test_the_sample_tab_is_in_the_inspection_navigation(login, people, inspection):
    # The lead sets the sample up; an inspector works from the cases and is not shown the tab
    # (tests/inspection/test_inspection_tabs.py), though the page still opens for them.
    page = login(people.lead).get(reverse("casefiles:list", args=[inspection.reference]))
    assert f'href="{url("sample", inspection)}">Sample</a>' in html(page)
    page = login(people.inspector).get(reverse("casefiles:list", args=[inspection.reference]))
    assert f'href="{url("sample", inspection)}">Sample</a>' not in html(page)
    assert login(people.inspector).get(url("sample", inspection)).status_code == 200


# Uploading the eligible cases -------------------------------------------------------------


def test_a_file_with_problems_lists_every_one_by_row_and_column_and_saves_nothing(lead, inspection):
    before = counts()
    response = upload(lead, inspection, csv_bytes(rows_with_problems()), "mistakes.csv")

    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [
        "mistakes.csv has 5 problems, listed below by row and column. Nothing was saved: "
        "fix them all and upload the file again"
    ]
    problems = [row[:2] + [row[2][:60]] for row in table_rows(response, "problems")]
    assert [row[:2] for row in problems] == [
        ["3", "gender"],
        ["4", "start_date"],
        ["5", "case_reference"],
        ["6", "organisation"],
        ["7", "risk_of_serious_harm"],
    ]
    words = text(response)
    assert "'boy' is not a known gender" in words
    assert "'31/02/2018' is not a date" in words
    assert "Case reference 'CD000' is on both row 2 and row 5" in words
    assert "'elsewhere-yot' is not an organisation in this inspection" in words
    assert "This cell is empty" in words
    assert counts() == before


def test_a_missing_column_is_named(lead, inspection):
    header = [column for column in COLUMNS if column != "start_date"]
    rows = [row[:7] for row in population_rows(court=2, out_of_court=0)]
    response = upload(lead, inspection, csv_bytes(rows, header))
    assert title(response).startswith("Error: ")
    assert table_rows(response, "problems")[0][:2] == ["1", "start_date"]
    assert "The column start_date is missing" in text(response)
    assert SamplePopulation.objects.count() == 0


def test_a_file_of_the_wrong_kind_is_refused_plainly(lead, inspection):
    response = upload(lead, inspection, b"%PDF-1.4", "eligible.pdf")
    assert table_rows(response, "problems") == [
        [
            "Whole file",
            "Whole file",
            "'eligible.pdf' is not a CSV (.csv) or Excel (.xlsx) file. Upload the list of "
            "eligible cases in one of those formats.",
        ]
    ]
    assert SamplePopulation.objects.count() == 0


def test_no_file_chosen_is_an_error_naming_the_field(lead, inspection):
    response = lead.post(url("sample_upload", inspection), {})
    assert title(response).startswith("Error: ")
    assert error_summary(response) == ["Select the file of eligible cases"]
    assert SamplePopulation.objects.count() == 0


def test_a_header_without_cases_is_refused(lead, inspection):
    response = upload(lead, inspection, csv_bytes([]))
    assert "The file lists no cases" in text(response)
    assert SamplePopulation.objects.count() == 0


def test_a_clean_csv_is_kept_and_the_eligibility_counts_shown(lead, people, inspection):
    response = upload(lead, inspection, csv_bytes(population_rows()))
    assert ended_at(response) == url("sample", inspection)
    assert "63 eligible cases uploaded from eligible.csv" in text(response)

    population = SamplePopulation.objects.get()
    assert (population.inspection, population.uploaded_by) == (inspection, people.lead)
    assert population.row_count == 63
    assert population.rows[0]["case_reference"] == "CD000"

    page = lead.get(url("sample", inspection))
    assert "File eligible.csv Cases listed 63" in text(page)
    assert table_rows(page, "eligibility") == [
        [
            "Court disposal",
            "Started 16 July 2017 to 16 October 2017 (6 to 9 months before fieldwork)",
            "37",
            "3",
        ],
        [
            "Out-of-court disposal",
            "Started 16 November 2017 to 16 January 2018 (3 to 5 months before fieldwork)",
            "21",
            "2",
        ],
    ]


def test_an_xlsx_file_is_read_like_a_csv(lead, inspection):
    response = upload(lead, inspection, xlsx_bytes(population_rows()), "eligible.xlsx")
    assert ended_at(response) == url("sample", inspection)
    assert SamplePopulation.objects.get().row_count == 63


def test_rows_of_a_sample_type_the_framework_does_not_draw_are_counted_as_dropped(lead, inspection):
    rows = population_rows(court=3, out_of_court=0, court_outside=0, out_of_court_outside=0)
    rows.append(["NO1", "new_order", "bd-yos", "male", "yro", "low", "low", "2018-03-01"])
    assert ended_at(upload(lead, inspection, csv_bytes(rows))) == url("sample", inspection)
    eligibility = table_rows(lead.get(url("sample", inspection)), "eligibility")
    assert eligibility[-1] == [
        "New order",
        "Not a sample this inspection's framework draws",
        "0",
        "1",
    ]


def test_the_template_downloads_as_csv_for_anyone_on_the_team(login, people, inspection):
    response = login(people.inspector).get(url("sample_template", inspection))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    # UTF-8 with a byte order mark, which a spreadsheet needs to keep accents.
    assert response.content.startswith("\ufeff".encode())
    assert response.content.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)


def test_the_upload_page_lists_the_columns_and_the_organisation_codes(lead, inspection):
    response = lead.get(url("sample_upload", inspection))
    assert response.status_code == 200
    assert title(response).startswith("Upload the eligible cases")
    words = text(response)
    assert "Barking and Dagenham YOS: bd-yos" in words
    for column in COLUMNS:
        assert column in words


# Eligibility windows ------------------------------------------------------------------------


def test_the_lead_changes_a_window_and_the_counts_follow(lead, uploaded):
    form = lead.get(url("sample_windows", uploaded))
    assert form.status_code == 200
    assert 'name="court_disposal_from" value="6"' in html(form)

    response = lead.post(
        url("sample_windows", uploaded),
        {
            "court_disposal_from": "0",
            "court_disposal_to": "9",
            "out_of_court_from": "",
            "out_of_court_to": "",
        },
    )
    assert response.status_code == 302
    plan = SamplingPlan.objects.get(inspection=uploaded)
    assert plan.windows == {"court_disposal": [0, 9]}

    eligibility = table_rows(lead.get(url("sample", uploaded)), "eligibility")
    assert eligibility[0][2:] == ["40", "0"]  # the 3 recent court disposals are now kept
    assert eligibility[1] == [
        "Out-of-court disposal",
        "No window: every case is eligible",
        "23",
        "0",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"court_disposal_from": "9", "court_disposal_to": "6"},
            "Court disposal window: 'at most' must be the same as or more than 'at least' (9)",
        ),
        (
            {"court_disposal_from": "6", "court_disposal_to": ""},
            "Court disposal window: enter both numbers of months, or leave both empty for "
            "no window",
        ),
        (
            {"court_disposal_from": "six", "court_disposal_to": "9"},
            "Court disposal window: enter a whole number of months",
        ),
        (
            {"court_disposal_from": "-1", "court_disposal_to": "9"},
            "Court disposal window: months must be 0 or more",
        ),
    ],
)
def test_a_bad_window_is_explained_and_nothing_saved(lead, inspection, data, message):
    response = lead.post(
        url("sample_windows", inspection),
        {"out_of_court_from": "3", "out_of_court_to": "5", **data},
    )
    assert response.status_code == 200
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [message]
    assert not SamplingPlan.objects.exists()


# Sample size --------------------------------------------------------------------------------


def test_the_sample_size_shows_its_working(login, people, uploaded):
    page = login(people.inspector).get(url("sample", uploaded))
    assert "Confidence level 80%, margin of error 5 percentage points" in text(page)
    assert table_rows(page, "sizes") == [
        ["Court disposal", "37", "1.2816", "164.24", "31", "31"],
        ["Out-of-court disposal", "21", "1.2816", "164.24", "19", "19"],
    ]


def test_the_lead_changes_the_confidence_and_margin(lead, uploaded):
    form = lead.get(url("sample_precision", uploaded))
    assert 'value="0.8" checked' in html(form) or 'value="0.8"\n' in html(form)
    response = lead.post(url("sample_precision", uploaded), {"confidence": "0.95", "margin": "10"})
    assert response.status_code == 302
    plan = SamplingPlan.objects.get(inspection=uploaded)
    assert (str(plan.confidence), str(plan.margin)) == ("0.9500", "0.1000")

    expected = sample_size(37, confidence=0.95, margin=0.1)
    sizes = table_rows(lead.get(url("sample", uploaded)), "sizes")
    assert sizes[0][:6] == [
        "Court disposal",
        "37",
        "1.9600",
        f"{expected.n0:.2f}",
        str(expected.size),
        str(expected.size),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"confidence": "0.95", "margin": ""}, "Enter the margin of error"),
        ({"confidence": "0.95", "margin": "0.1"}, "Margin of error must be 0.5 or more"),
        ({"confidence": "0.95", "margin": "five"}, "Margin of error must be a number, like 5"),
        ({"confidence": "0.5", "margin": "5"}, "Select a valid option for confidence level"),
    ],
)
def test_bad_precision_is_explained_and_nothing_saved(lead, inspection, data, message):
    response = lead.post(url("sample_precision", inspection), data)
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [message]
    assert not SamplingPlan.objects.exists()


def test_the_lead_overrides_a_sample_size_with_a_reason_which_is_kept(lead, people, uploaded):
    address = url("sample_size_override", uploaded, "court_disposal")
    form = lead.get(address)
    assert "The calculated size is 31 from 37 eligible cases" in text(form)

    response = lead.post(address, {"size": "28", "reason": "Four inspectors for two days"})
    assert response.status_code == 302
    override = SampleSizeOverride.objects.get()
    assert (override.sample_type, override.size, override.reason, override.set_by) == (
        "court_disposal",
        28,
        "Four inspectors for two days",
        people.lead,
    )
    page = lead.get(url("sample", uploaded))
    assert table_rows(page, "sizes")[0][-2] == "28 Set by the lead"
    assert "Four inspectors for two days" in text(page)

    # Back to the calculated size: a new row, and the earlier reason is still kept.
    lead.post(address, {"size": "", "reason": "More time on site after all"})
    assert SampleSizeOverride.objects.count() == 2
    page = lead.get(url("sample", uploaded))
    assert table_rows(page, "sizes")[0][-2] == "31"
    assert [row[3] for row in table_rows(page, "overrides")] == [
        "More time on site after all",
        "Four inspectors for two days",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"size": "30", "reason": "  "}, "Enter the reason for this sample size"),
        ({"size": "38", "reason": "All"}, "Sample size must be no more than the 37 eligible cases"),
        ({"size": "0", "reason": "None"}, "Sample size must be 1 or more"),
        ({"size": "ten", "reason": "Ten"}, "Sample size must be a whole number, like 31"),
    ],
)
def test_a_bad_override_is_explained_and_nothing_saved(lead, uploaded, data, message):
    response = lead.post(url("sample_size_override", uploaded, "court_disposal"), data)
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [message]
    assert not SampleSizeOverride.objects.exists()


def test_a_sample_type_the_framework_does_not_draw_has_no_size_page(lead, uploaded):
    assert lead.get(url("sample_size_override", uploaded, "new_order")).status_code == 404


# Drawing ------------------------------------------------------------------------------------


def test_the_draw_creates_the_sampled_cases(lead, people, uploaded):
    page = lead.get(url("sample_draw", uploaded))
    assert page.status_code == 200
    assert table_rows(page, "to-draw") == [
        ["Court disposal", "37", "31"],
        ["Out-of-court disposal", "21", "19"],
    ]

    response = draw(lead, uploaded, "2018")
    assert ended_at(response) == url("sample_draw", uploaded)

    record = SampleDraw.objects.get()
    assert (record.seed, record.drawn_by, record.population.filename) == (
        2018,
        people.lead,
        "eligible.csv",
    )
    assert record.sizes["court_disposal"]["drawn"] == 31
    assert record.sizes["out_of_court"]["drawn"] == 19
    cases = Case.objects.filter(inspection=uploaded)
    assert cases.filter(sample_type="court_disposal").count() == 31
    assert cases.filter(sample_type="out_of_court").count() == 19
    # Every eligible case has its place: 50 in the sample, the other 8 as reserves.
    assert DrawnCase.objects.filter(status="selected").count() == 50
    assert DrawnCase.objects.filter(status="reserve").count() == 8
    assert not DrawnCase.objects.filter(reference__in=["CL000", "OE000"]).exists()

    case = cases.get(reference="CD000") if cases.filter(reference="CD000").exists() else None
    case = case or cases.filter(sample_type="court_disposal").first()
    row = next(r for r in population_rows() if r[0] == case.reference)
    assert case.subject_name == "Not yet recorded"
    assert case.case_manager == "Not yet recorded"
    assert case.subject_kind == "child"  # a youth offending service
    assert case.ethnicity == "not_known"
    assert case.date_of_birth is None
    assert (case.gender, case.risk_of_serious_harm, case.safety_and_wellbeing) == (
        row[3],
        row[5],
        row[6],
    )
    order = Order.objects.get(case=case)
    assert (order.order_type, order.start_date.isoformat()) == (row[4], row[7])

    assert "Sample drawn: 50 cases added to the inspection" in text(response)
    drawn_page = lead.get(url("sample_draw", uploaded))
    words = text(drawn_page)
    assert "Court disposals: 31 cases from 37 eligible" in words
    assert "Out-of-court disposals: 19 cases from 21 eligible" in words
    allocation = table_rows(drawn_page, "allocation-court_disposal")
    assert sum(int(row[7]) for row in allocation) == 31
    assert sum(int(row[4]) for row in allocation) == 37
    assert len(table_rows(drawn_page, "cases-court_disposal")) == 31
    gender = table_rows(drawn_page, "represent-court_disposal-gender")
    assert [row[0] for row in gender] == ["Female", "Male"]
    assert [row[1] for row in gender] == ["9", "28"]
    assert "Largest difference:" in words and "percentage points" in words


def test_a_drawn_case_page_shows_what_is_not_yet_recorded(lead, drawn):
    case = Case.objects.filter(inspection=drawn).first()
    page = lead.get(reverse("casefiles:detail", args=[case.public_id]))
    assert page.status_code == 200
    assert "Date of birth Not yet recorded" in text(page)
    assert lead.get(reverse("casefiles:list", args=[drawn.reference])).status_code == 200


def test_the_same_seed_and_file_draw_the_same_cases(lead, people, yos_framework, organisation):
    first = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="first"
    )
    second = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="second"
    )
    other = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="other"
    )
    data = csv_bytes(population_rows())
    for inspection, seed in [(first, "77"), (second, "77"), (other, "78")]:
        assert ended_at(upload(lead, inspection, data)) == url("sample", inspection)
        assert ended_at(draw(lead, inspection, seed)) == url("sample_draw", inspection)

    def references(inspection):
        return sorted(
            Case.objects.filter(inspection=inspection).values_list("reference", flat=True)
        )

    def reserves(inspection):
        return list(
            DrawnCase.objects.filter(draw__inspection=inspection, status="reserve")
            .order_by("stratum", "position")
            .values_list("reference", flat=True)
        )

    assert references(first) == references(second)
    assert reserves(first) == reserves(second)
    assert references(first) != references(other)


def test_the_draw_page_without_a_population_says_what_to_do(lead, inspection):
    page = lead.get(url("sample_draw", inspection))
    assert "The eligible cases have not been uploaded yet" in text(page)
    response = draw(lead, inspection, "1")
    # The draw's job says why it failed, in plain words, and offers to try again.
    assert title(response).startswith("Failed: Drawing the sample")
    assert "Upload the eligible cases before drawing the sample." in text(response)
    assert "Try again" in text(response)
    assert not SampleDraw.objects.exists()


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ("", "Enter the seed"),
        ("-3", "Seed must be 0 or more"),
        ("1.5", "Seed must be a whole number, like 2018"),
    ],
)
def test_a_bad_seed_is_explained_and_nothing_drawn(lead, uploaded, seed, message):
    response = lead.post(url("sample_draw", uploaded), {"seed": seed})
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [message]
    assert not SampleDraw.objects.exists()
    assert not Case.objects.exists()


def test_a_case_already_in_the_inspection_stops_the_draw(lead, uploaded):
    from tests.conftest import make_case

    for reference in [f"CD{i:03d}" for i in range(37)]:
        make_case(uploaded, reference=reference)
    before = counts()
    response = through_job(
        lead,
        lambda: lead.post(
            url("sample_draw", uploaded), {"seed": "4", "confirm": "yes", "existing": "37"}
        ),
    )
    assert title(response).startswith("Failed: ")
    assert (
        "These cases are already in the inspection, so the draw would list them twice: CD000"
        in text(response)
    )
    assert counts() == before


def test_once_drawn_the_sample_cannot_be_drawn_again_or_its_inputs_changed(lead, drawn):
    before = counts()
    response = lead.post(url("sample_draw", drawn), {"seed": "99"}, follow=True)
    assert "The sample has already been drawn." in text(response)
    for name, args in LEAD_PAGES:
        response = lead.get(url(name, drawn, *args), follow=True)
        assert "The sample has been drawn, so" in text(response), name
    response = upload(lead, drawn, csv_bytes(population_rows()))
    assert response.status_code == 302 and response["Location"] == url("sample", drawn)
    assert counts() == before
    assert not Job.objects.exists()
    assert SampleDraw.objects.get().seed == 2018


def test_the_team_reads_the_drawn_sample_without_replace_links(login, people, drawn):
    page = login(people.inspector).get(url("sample_draw", drawn))
    assert page.status_code == 200
    assert "/replace/" not in html(page)
    assert login(people.manager).get(url("sample_draw", drawn)).status_code == 200


# Replacing a drawn case --------------------------------------------------------------------


def _replaceable(draw_inspection) -> DrawnCase:
    """A case in the sample whose stratum still has a reserve."""
    reserve = DrawnCase.objects.filter(draw__inspection=draw_inspection, status="reserve").first()
    return DrawnCase.objects.filter(
        draw=reserve.draw, stratum=reserve.stratum, status="selected"
    ).first()


def test_the_lead_replaces_a_case_with_the_next_reserve_and_the_reason_is_kept(lead, people, drawn):
    entry = _replaceable(drawn)
    old_case = entry.case
    next_reserve = (
        DrawnCase.objects.filter(draw=entry.draw, stratum=entry.stratum, status="reserve")
        .order_by("position")
        .first()
    )
    address = reverse("casefiles:sample_replace", args=[entry.public_id])
    form = lead.get(address)
    assert form.status_code == 200
    assert f"Next reserve {next_reserve.reference}" in text(form)

    response = lead.post(address, {"reason": "The case transferred to Havering in May"})
    assert response.status_code == 302
    assert response["Location"] == url("sample_draw", drawn)

    entry.refresh_from_db()
    next_reserve.refresh_from_db()
    assert entry.status == "replaced" and entry.case is None
    assert not Case.objects.filter(pk=old_case.pk).exists()
    assert next_reserve.status == "selected"
    assert next_reserve.case.reference == next_reserve.reference
    assert next_reserve.case.sample_type == entry.sample_type
    assert Case.objects.filter(inspection=drawn).count() == 50

    replacement = SampleReplacement.objects.get()
    assert (
        replacement.removed,
        replacement.reserve,
        replacement.reason,
        replacement.replaced_by,
    ) == (entry, next_reserve, "The case transferred to Havering in May", people.lead)
    assert replacement.replaced_at <= timezone.now()

    page = lead.get(url("sample_draw", drawn))
    assert f"Case {entry.reference} replaced by {next_reserve.reference}" in text(page)
    row = table_rows(page, "replacements")[0]
    assert row[1:] == [
        entry.reference,
        next_reserve.reference,
        "The case transferred to Havering in May",
        str(people.lead),
    ]
    # A replaced case cannot be replaced again.
    again = lead.get(reverse("casefiles:sample_replace", args=[entry.public_id]), follow=True)
    assert f"Case {entry.reference} is not in the sample." in text(again)


def test_a_replacement_needs_a_reason(lead, drawn):
    entry = _replaceable(drawn)
    before = counts()
    response = lead.post(
        reverse("casefiles:sample_replace", args=[entry.public_id]), {"reason": " "}
    )
    assert title(response).startswith("Error: ")
    assert error_summary(response) == ["Enter why the case is being replaced"]
    assert counts() == before


def test_a_case_with_answers_is_not_replaced(lead, people, drawn):
    entry = _replaceable(drawn)
    question = drawn.framework.questions.first()
    Answer.objects.create(
        case=entry.case,
        question=question,
        value="yes",
        answered_by=people.inspector,
        updated_at=timezone.now(),
    )
    before = counts()
    response = lead.post(
        reverse("casefiles:sample_replace", args=[entry.public_id]), {"reason": "Transferred"}
    )
    assert title(response).startswith("Error: ")
    assert error_summary(response) == [
        f"Case {entry.reference} already has answers recorded, so it stays in the sample: "
        "replacing it would lose the inspector's work."
    ]
    assert counts() == before


def test_a_case_whose_group_has_no_reserves_left_is_not_replaced(lead, drawn):
    lonely = (
        DrawnCase.objects.filter(draw__inspection=drawn, status="selected")
        .exclude(stratum__in=DrawnCase.objects.filter(status="reserve").values("stratum"))
        .first()
    )
    before = counts()
    response = lead.post(
        reverse("casefiles:sample_replace", args=[lonely.public_id]), {"reason": "Transferred"}
    )
    assert title(response).startswith("Error: ")
    assert "There are no reserves left in the group of case" in error_summary(response)[0]
    assert counts() == before


def test_the_fieldwork_date_decides_the_windows(lead, people, yos_framework, organisation):
    later = make_inspection(
        framework=yos_framework,
        organisations=[organisation],
        people=people,
        reference="later",
        fieldwork_start=date(2019, 4, 16),
        fieldwork_end=date(2019, 4, 27),
    )
    assert ended_at(upload(lead, later, csv_bytes(population_rows()))) == url("sample", later)
    eligibility = table_rows(lead.get(url("sample", later)), "eligibility")
    assert [row[2:] for row in eligibility] == [["0", "40"], ["0", "23"]]


def test_the_drawn_sample_page_costs_the_same_queries_however_many_cases(
    lead, people, yos_framework, organisation
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []
    for reference, rows in [
        ("small", population_rows(court=5, out_of_court=3)),
        ("large", population_rows(court=60, out_of_court=30)),
    ]:
        inspection = make_inspection(
            framework=yos_framework,
            organisations=[organisation],
            people=people,
            reference=reference,
        )
        population_upload(
            inspection=inspection, filename="e.csv", data=csv_bytes(rows), by=people.lead
        )
        sample_draw(inspection=inspection, seed=1, by=people.lead)
        with CaptureQueriesContext(connection) as captured:
            assert lead.get(url("sample_draw", inspection)).status_code == 200
        queries.append(len(captured))
    small, large = queries
    assert small == large
