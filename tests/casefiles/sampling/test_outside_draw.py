"""A draw on an inspection that already has cases says so first; cases added outside the draw
(by the lead, with a reason, or there before the draw) are marked wherever the sample is
described; the sample as drawn, for the report's methodology."""

import pytest
from django.urls import reverse

from casefiles.models import Case, CaseFileChange, DrawnCase, SampleDraw
from casefiles.sampling.selectors import sample_as_drawn
from casefiles.sampling.services import (
    BEFORE_THE_DRAW,
    drawn_case_replace,
    population_upload,
    sample_draw,
)
from inspection.models import Job
from tests.casefiles.sampling.test_sample_views import (
    error_summary,
    html,
    table_rows,
    text,
    through_job,
    title,
    url,
)
from tests.conftest import make_case
from tests.support.sample_population import csv_bytes, population_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def lead(login, people):
    return login(people.lead)


@pytest.fixture
def uploaded(inspection, people):
    result = population_upload(
        inspection=inspection,
        filename="eligible.csv",
        data=csv_bytes(population_rows()),
        by=people.lead,
    )
    assert result.problems == []
    return inspection


# The warning before a draw ---------------------------------------------------------------


def test_a_draw_on_an_inspection_with_cases_warns_and_changes_nothing_until_confirmed(
    lead, people, uploaded
):
    make_case(uploaded, reference="X-1", inspector=people.inspector)
    make_case(uploaded, reference="X-2")
    page = lead.get(url("sample_draw", uploaded))
    assert "This inspection already has 2 cases." in text(page)

    response = lead.post(url("sample_draw", uploaded), {"seed": "2018"})
    assert response.status_code == 200
    assert title(response).startswith("This inspection already has cases")
    words = text(response)
    assert "This inspection already has 2 cases" in words
    assert "they stay in the inspection, with their files, inspectors (1 assigned)" in words
    assert "marked as added outside the draw" in words
    assert 'name="existing" value="2"' in html(response)
    assert not SampleDraw.objects.exists()
    assert not Job.objects.exists()
    assert Case.objects.count() == 2


def test_a_confirmation_given_for_other_cases_is_asked_again(lead, people, uploaded):
    make_case(uploaded, reference="X-1")
    make_case(uploaded, reference="X-2")
    # The lead was told of one case; another was added since.
    response = lead.post(
        url("sample_draw", uploaded), {"seed": "2018", "confirm": "yes", "existing": "1"}
    )
    assert response.status_code == 200
    assert "This inspection already has 2 cases" in text(response)
    assert not SampleDraw.objects.exists()


def test_a_confirmed_draw_keeps_the_cases_there_marked_outside_the_draw(lead, people, uploaded):
    kept = make_case(uploaded, reference="X-1", inspector=people.inspector)
    response = through_job(
        lead,
        lambda: lead.post(
            url("sample_draw", uploaded), {"seed": "2018", "confirm": "yes", "existing": "1"}
        ),
    )
    assert "Sample drawn: 50 cases added to the inspection" in text(response)
    kept.refresh_from_db()
    assert kept.inspector == people.inspector
    assert (kept.added_outside_draw, kept.added_reason) == (True, BEFORE_THE_DRAW)
    assert Case.objects.filter(inspection=uploaded).count() == 51
    assert Case.objects.filter(added_outside_draw=True).count() == 1
    change = CaseFileChange.objects.get(case=kept, field_name="added_outside_draw")
    assert (change.old_value, change.new_value, change.actor) == ("No", "Yes", people.lead)
    assert CaseFileChange.objects.get(case=kept, field_name="added_reason").new_value == (
        BEFORE_THE_DRAW
    )


def test_a_draw_on_an_empty_inspection_asks_nothing(lead, uploaded):
    response = through_job(lead, lambda: lead.post(url("sample_draw", uploaded), {"seed": "7"}))
    assert "Sample drawn: 50 cases" in text(response)
    assert not Case.objects.filter(added_outside_draw=True).exists()


# Adding a case by hand -----------------------------------------------------------------


def _case_form(**more) -> dict:
    return {
        "reference": "HAND-1",
        "organisation": "",
        "sample_type": "court_disposal",
        "subject_kind": "child",
        "subject_name": "Ellis Grant",
        "gender": "male",
        "ethnicity": "white",
        "date_of_birth_0": "1",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2003",
        "risk_of_serious_harm": "high",
        "safety_and_wellbeing": "medium",
        "mappa_level": "none",
        "main_source_of_risk": "subject",
        "case_manager": "Sam Collier",
        **more,
    }


def test_only_the_lead_adds_a_case_and_gives_the_reason(login, people, inspection, organisation):
    address = reverse("casefiles:create", args=[inspection.reference])
    for who in (people.inspector, people.partner, people.qa):
        assert login(who).post(address, _case_form(organisation=organisation.pk)).status_code == 403
    lead = login(people.lead)
    refused = lead.post(address, _case_form(organisation=organisation.pk, added_reason="  "))
    assert error_summary(refused) == ["Enter why the case is added outside the sample draw"]
    assert not Case.objects.exists()

    response = lead.post(
        address,
        _case_form(organisation=organisation.pk, added_reason="Raised by the service manager"),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.added_outside_draw, case.added_reason) == (
        True,
        "Raised by the service manager",
    )
    change = CaseFileChange.objects.get(case=case, field_name="added_reason")
    assert (change.new_value, change.actor) == ("Raised by the service manager", people.lead)

    listing = lead.get(reverse("casefiles:list", args=[inspection.reference]))
    assert "Added outside the draw" in text(listing)
    detail = lead.get(reverse("casefiles:detail", args=[case.public_id]))
    assert "added outside the sample draw: Raised by the service manager" in text(detail)


# The sample as drawn ---------------------------------------------------------------------


def test_the_sample_as_drawn_gives_sizes_precision_and_cases_added_or_replaced(people, uploaded):
    make_case(
        uploaded, reference="HAND-1", added_outside_draw=True, added_reason="Raised by the YOS"
    )
    sample_draw(inspection=uploaded, seed=2018, by=people.lead)
    reserves = DrawnCase.objects.filter(draw__inspection=uploaded, status="reserve")
    entry = DrawnCase.objects.filter(
        draw__inspection=uploaded,
        status="selected",
        stratum__in=reserves.values("stratum"),
    ).first()
    replacement = drawn_case_replace(entry=entry, reason="Moved to another area", by=people.lead)

    sample = sample_as_drawn(uploaded)
    assert sample.drawn is True
    assert (sample.confidence_percent, sample.margin_points, sample.seed) == (80.0, 5.0, 2018)
    assert sample.population_file == "eligible.csv"
    sizes = {kind.sample_type: kind for kind in sample.sample_types}
    assert (sizes["court_disposal"].eligible, sizes["court_disposal"].drawn) == (37, 31)
    assert (sizes["out_of_court"].eligible, sizes["out_of_court"].drawn) == (21, 19)
    assert sum(s.drawn for s in sizes["court_disposal"].strata) == 31
    assert sum(s.eligible for s in sizes["court_disposal"].strata) == 37
    assert set(sizes["court_disposal"].strata[0].labels) == {
        "gender",
        "disposal_type",
        "risk_of_serious_harm",
        "safety_and_wellbeing",
    }
    assert (sample.drawn_total, sample.eligible_total) == (50, 58)
    assert [(c.reference, c.reason) for c in sample.added] == [("HAND-1", "Raised by the YOS")]
    assert [(r.removed, r.replaced_by, r.reason) for r in sample.replaced] == [
        (entry.reference, replacement.reserve.reference, "Moved to another area")
    ]
    assert sample.cases_in_inspection == 51


def test_the_sample_as_drawn_without_a_draw_lists_every_case_as_added(people, inspection):
    make_case(inspection, reference="HAND-1", added_outside_draw=True, added_reason="Chosen")
    sample = sample_as_drawn(inspection)
    assert (sample.drawn, sample.confidence_percent, sample.sample_types) == (False, None, [])
    assert [c.reference for c in sample.added] == ["HAND-1"]


def test_the_sample_as_drawn_costs_four_queries(django_assert_num_queries, people, uploaded):
    sample_draw(inspection=uploaded, seed=2018, by=people.lead)
    # The draw with its file; the cases added outside it; the count; the replacements.
    with django_assert_num_queries(4):
        sample_as_drawn(uploaded)


def test_the_drawn_sample_page_lists_cases_added_outside_the_draw(lead, people, uploaded):
    make_case(uploaded, reference="HAND-1", added_outside_draw=True, added_reason="Raised by YOS")
    sample_draw(inspection=uploaded, seed=2018, by=people.lead)
    page = lead.get(url("sample_draw", uploaded))
    assert table_rows(page, "added-outside-draw") == [
        ["HAND-1", "Court disposal", "Barking and Dagenham YOS", "Raised by YOS"]
    ]
    overview = lead.get(url("sample", uploaded))
    assert "1 case in the inspection was added outside the draw" in text(overview)
