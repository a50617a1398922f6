"""manage.py draw_sample: the Sample pages' upload and draw, from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from casefiles.models import (
    Case,
    DrawnCase,
    SampleDraw,
    SamplePopulation,
    SamplingPlan,
)
from casefiles.sampling.draw import sample_size
from tests.conftest import make_inspection
from tests.support.sample_population import (
    csv_bytes,
    population_rows,
    rows_with_problems,
    xlsx_bytes,
)

MODELS = [SamplePopulation, SamplingPlan, SampleDraw, DrawnCase, Case]



def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def run(*args) -> str:
    out = StringIO()
    call_command("draw_sample", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def population_file(tmp_path):
    path = tmp_path / "eligible.csv"
    path.write_bytes(csv_bytes(population_rows()))
    return path


def test_the_command_draws_the_sample_and_prints_the_allocation(inspection, population_file):
    output = run(inspection.reference, population_file, "--seed", 2018)

    draw = SampleDraw.objects.get(inspection=inspection)
    assert (draw.seed, draw.drawn_by, draw.population.uploaded_by) == (2018, None, None)
    assert Case.objects.filter(inspection=inspection, sample_type="court_disposal").count() == 31
    assert Case.objects.filter(inspection=inspection, sample_type="out_of_court").count() == 19

    assert (
        "Sample drawn for yos-bd-2018 with seed 2018 from eligible.csv (63 cases listed): "
        "50 cases added to the inspection." in output
    )
    assert "Confidence level 80%, margin of error 5 percentage points." in output
    assert (
        "Court disposal: 37 eligible, z = 1.2816, n0 = 164.24, calculated size 31, "
        "size used 31, drawn 31" in output
    )
    assert "Out-of-court disposal: 21 eligible" in output
    lines = output.splitlines()
    header = next(line for line in lines if line.strip().startswith("Gender"))
    assert header.split() == [
        "Gender",
        "Sentence",
        "or",
        "disposal",
        "ROSH",
        "Safety",
        "and",
        "wellbeing",
        "Eligible",
        "Share",
        "Quota",
        "Drawn",
    ]
    # One table line per court stratum, whose Drawn column adds up to the sample size.
    court = lines[lines.index(header) + 1 :]
    court = court[: next(i for i, line in enumerate(court) if not line.strip())]
    assert sum(int(line.split()[-1]) for line in court) == 31
    assert sum(int(line.split()[-4]) for line in court) == 37


def test_the_command_and_the_pages_agree_for_the_same_seed(
    people, yos_framework, organisation, population_file
):
    from casefiles.sampling.services import population_upload, sample_draw

    by_command = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="cmd"
    )
    by_page = make_inspection(
        framework=yos_framework, organisations=[organisation], people=people, reference="web"
    )
    run("cmd", population_file, "--seed", 31)
    population_upload(
        inspection=by_page,
        filename="eligible.csv",
        data=population_file.read_bytes(),
        by=people.lead,
    )
    sample_draw(inspection=by_page, seed=31, by=people.lead)

    def references(inspection):
        return sorted(
            Case.objects.filter(inspection=inspection).values_list("reference", flat=True)
        )

    assert references(by_command) == references(by_page)


def test_the_same_seed_gives_the_same_sample_from_an_xlsx_file_too(
    people, yos_framework, organisation, tmp_path
):
    path = tmp_path / "eligible.xlsx"
    path.write_bytes(xlsx_bytes(population_rows()))
    for reference in ["one", "two"]:
        make_inspection(
            framework=yos_framework,
            organisations=[organisation],
            people=people,
            reference=reference,
        )
        run(reference, path, "--seed", 5)
    one, two = (
        sorted(Case.objects.filter(inspection__reference=r).values_list("reference", flat=True))
        for r in ["one", "two"]
    )
    assert one == two and len(one) == 50


def test_a_bad_file_is_refused_listing_every_problem_and_nothing_is_saved(inspection, tmp_path):
    path = tmp_path / "mistakes.csv"
    path.write_bytes(csv_bytes(rows_with_problems()))
    before = counts()
    with pytest.raises(CommandError) as raised:
        run(inspection.reference, path, "--seed", 1, "--confidence", "0.9")
    message = str(raised.value)
    assert message.startswith("mistakes.csv has 5 problems; nothing was saved.")
    assert "Row 3, column gender: 'boy' is not a known gender" in message
    assert "Row 4, column start_date: '31/02/2018' is not a date" in message
    assert "Row 5, column case_reference: Case reference 'CD000' is on both row 2" in message
    assert "Row 6, column organisation: 'elsewhere-yot' is not an organisation" in message
    assert "Row 7, column risk_of_serious_harm: This cell is empty" in message
    # Not even the confidence level given with the bad file is kept.
    assert counts() == before


def test_confidence_and_margin_set_the_sizes_and_are_kept(inspection, population_file):
    output = run(
        inspection.reference,
        population_file,
        "--seed",
        3,
        "--confidence",
        "0.95",
        "--margin",
        "0.1",
    )
    plan = SamplingPlan.objects.get(inspection=inspection)
    assert (str(plan.confidence), str(plan.margin)) == ("0.9500", "0.1000")
    expected = sample_size(37, confidence=0.95, margin=0.1).size
    assert f"calculated size {expected}, size used {expected}, drawn {expected}" in output
    assert "Confidence level 95%, margin of error 10 percentage points." in output


def test_the_lead_can_be_recorded_and_nobody_else(inspection, people, population_file):
    with pytest.raises(CommandError, match="inspector is not the lead inspector of yos-bd-2018"):
        run(inspection.reference, population_file, "--seed", 1, "--by", "inspector")
    assert not SampleDraw.objects.exists()
    run(inspection.reference, population_file, "--seed", 1, "--by", "lead")
    draw = SampleDraw.objects.get()
    assert (draw.drawn_by, draw.population.uploaded_by) == (people.lead, people.lead)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--seed", "1", "--confidence", "1.5"], "1.5 is not a fraction between 0 and 1"),
        (["--seed", "1", "--margin", "five"], "five is not a fraction between 0 and 1"),
        (["--seed", "-4"], "--seed must be a whole number, 0 or more."),
    ],
)
def test_bad_options_are_refused(inspection, population_file, arguments, message):
    with pytest.raises(CommandError, match=message):
        run(inspection.reference, population_file, *arguments)
    assert counts()["SampleDraw"] == 0


def test_an_unknown_inspection_or_a_missing_file_is_refused(inspection, population_file, tmp_path):
    with pytest.raises(CommandError, match="There is no inspection with the reference 'nope'"):
        run("nope", population_file, "--seed", 1)
    with pytest.raises(CommandError, match="Cannot read .*missing.csv"):
        run(inspection.reference, tmp_path / "missing.csv", "--seed", 1)


def test_a_drawn_sample_is_not_drawn_again(inspection, population_file):
    run(inspection.reference, population_file, "--seed", 1)
    before = counts()
    with pytest.raises(CommandError, match="already been drawn.*Nothing was saved"):
        run(inspection.reference, population_file, "--seed", 2)
    assert counts() == before
    assert SampleDraw.objects.get().seed == 1
