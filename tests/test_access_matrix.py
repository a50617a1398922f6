"""Who may read and who may change every page: one test per (page, person, method).

The pages are found by walking the URL configuration, so a page added without a line in
MATRIX fails (add it to the access matrix), and so does a line for a page that is gone.

Each line says how to build the page's address from a small world (an inspection with its
team, a case assigned to the inspector with one of each part of its file, a submitted case
selected for quality assurance, an agreed case, an organisation-level standard, a
recommendation in the report and, for the one page that needs it, a drawn sample) and what
each person gets for a GET and for a POST with an empty body. The people are:

- anonymous: signed out; every page sends them to sign in first
- inspector: on the team, the case's assigned inspector
- outsider: an inspector on another team; an inspection or case page is "not found", so that
  they cannot tell whether it exists (405 for a wrong method, which says nothing either)
- qa: quality assurance on the team; reads everything, writes only moderation
- lead: the lead inspector, who writes the report, the sample, ratings and assignments
- manager: reads every inspection and the dashboards, and never writes
- admin: a superuser, who reads everything; writing is by role on the team, so not here

An empty POST to a form that the person may use is refused with the form's errors (200, or
400 from the JSON autosave); a form with no required field (remove, log out, the sample's
windows, the assignments) succeeds (302). Every GET, and every refused POST, is also checked
to change no data beyond the read record that opening a case leaves (and only when its page
is shown) and the report's pseudonyms, which are chosen the first time a text is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.apps import apps
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casefiles.concerns import services as concern_services
from casefiles.models import (
    AgencyCheck,
    Case,
    CaseFileChange,
    ChildProtectionPlan,
    DrawnCase,
    HomeVisit,
    LinkedChild,
    Meeting,
    Order,
    Referral,
)
from casefiles.sampling.services import population_upload, sample_draw
from inspection import permissions
from inspection.access import inspection_access
from inspection.builder.services import draft_start
from inspection.models import Inspection, Job, Membership
from judgements import services
from judgements.models import ReadRecord
from judgements.rules import applicable_questions
from reports.writing import services as report_services
from tests.conftest import (
    YOS_FILE,
    make_area,
    make_case,
    make_inspection,
    make_organisation,
    make_people,
    module_data,
    stored_framework,
)
from tests.support.sample_population import csv_bytes, population_rows

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore:No directory at")]

ROLES = ("anonymous", "inspector", "outsider", "qa", "lead", "manager", "admin")
METHODS = ("GET", "POST")

LOGIN = "login"  # 302 to /login/?next=<the page>
ADMIN_LOGIN = "admin login"  # 302 to the admin site's own sign-in page

# --------------------------------------------------------------------------- the world


def _scored_and_submitted(case, people):
    """The case scored Yes throughout by its inspector, selected for QA and submitted."""
    services.qa_select(case=case, selected=True, actor=people.lead)
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(question=q, value="yes", note=f"Evidence for {q.code}")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)
    case.refresh_from_db()
    return case


FIRST_MARKER = "FIRST-READING-MARKER"
SECOND_MARKER = "SECOND-READING-MARKER"


def _read_twice(case, people):
    """Scored No throughout by its inspector and submitted, but selected for a second reading
    by the colleague, who has answered it too (not yet submitted): nobody may see the other
    reader's answers, and the case does not count yet."""
    services.second_reading_select(case=case, reader=people.colleague, actor=people.lead)
    services.answers_record(
        case=case,
        answers=[
            services.AnswerInput(question=q, value="no", note=f"{FIRST_MARKER} {q.code}")
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)
    case.refresh_from_db()
    services.second_answers_record(
        reading=case.second_reading,
        answers=[
            services.AnswerInput(question=q, value="yes", note=f"{SECOND_MARKER} {q.code}")
            for q in applicable_questions(case)
        ],
        actor=people.colleague,
    )
    return case


def _file_parts(case) -> dict[str, object]:
    """One of each part of a case file, keyed by its name in the addresses."""
    child = LinkedChild.objects.create(
        case=case, name="Mia Morgan", date_of_birth=date(2012, 3, 4), relationship="child"
    )
    return {
        "orders": Order.objects.create(
            case=case, order_type="referral_order", start_date=date(2017, 8, 1)
        ),
        "children": child,
        "plans": ChildProtectionPlan.objects.create(
            case=case, child=child, category="neglect", start_date=date(2017, 8, 2)
        ),
        "referrals": Referral.objects.create(
            case=case, child=child, referral_date=date(2017, 8, 3), method="phone"
        ),
        "checks": AgencyCheck.objects.create(
            case=case, agency="police", kind="check", requested_date=date(2017, 8, 4)
        ),
        "meetings": Meeting.objects.create(
            case=case, kind="icpc", meeting_date=date(2017, 8, 5), invited=True
        ),
        "visits": HomeVisit.objects.create(case=case, visit_date=date(2017, 8, 6)),
    }


def _drawn_entry(framework, organisation, people):
    """A case in a drawn sample, in a second inspection with the same team.

    Not in the main inspection: once a sample is drawn, the pages that set it up send the
    lead back to the sample page, which the main inspection must not do.
    """
    inspection = make_inspection(
        framework=framework,
        organisations=[organisation],
        people=people,
        reference="yos-bd-2018-drawn",
    )
    rows = population_rows(court=6, out_of_court=4, court_outside=0, out_of_court_outside=0)
    result = population_upload(
        inspection=inspection, filename="eligible.csv", data=csv_bytes(rows), by=people.lead
    )
    assert result.problems == []
    sample_draw(inspection=inspection, seed=2018, by=people.lead)
    return DrawnCase.objects.filter(
        draw__inspection=inspection, status=DrawnCase.Status.SELECTED
    ).first()


def _build_world() -> SimpleNamespace:
    """Everything the pages need, from the shared cast and builders in conftest."""
    people = make_people()
    area = make_area()
    organisation = make_organisation(area)
    framework = stored_framework(YOS_FILE)
    inspection = make_inspection(framework=framework, organisations=[organisation], people=people)
    case = make_case(inspection, reference="C-001", inspector=people.inspector)
    return SimpleNamespace(
        people=people,
        framework=framework,
        area=area,
        organisation=organisation,
        inspection=inspection,
        case=case,
        parts=_file_parts(case),
        # Submitted and waiting for quality assurance (the qa person has not scored it).
        qa_case=_scored_and_submitted(
            make_case(inspection, reference="C-002", inspector=people.inspector), people
        ),
        # Agreed, so locked: only the lead may reopen it. Only its status matters to the pages
        # here, so it is not scored first.
        agreed_case=make_case(
            inspection,
            reference="C-003",
            inspector=people.inspector,
            selected_for_qa=True,
            status=Case.Status.AGREED,
        ),
        # Background work the inspector asked for (it failed: no file to hand out).
        job=Job.objects.create(
            kind="report-pdf",
            user=people.inspector,
            inspection=inspection,
            status=Job.Status.FAILED,
            error="The report could not be drawn.",
        ),
        recommendation=report_services.recommendation_save(
            inspection=inspection,
            addressed_to="Barking and Dagenham YOS",
            text="Make sure every referral says what response is wanted.",
            actor=people.lead,
        ),
        drawn_entry=_drawn_entry(framework, organisation, people),
        # A framework version being built in the service, copied from the one in use.
        draft=draft_start(
            actor=people.admin, source=framework, slug="", name=framework.name, version="2026"
        ),
        concern=concern_services.concern_raise(
            case=case,
            about=concern_services.About(subject=True),
            urgency="immediate",
            found="Bruising seen by the case manager, not reported to social care.",
            why_urgent="The child lives with the adult who hurt them.",
            actor=people.inspector,
        ),
        # Read twice: the inspector's reading and the colleague's, kept apart.
        double_case=_read_twice(
            make_case(inspection, reference="C-004", inspector=people.inspector), people
        ),
    )


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    yield from module_data(django_db_blocker, _build_world)


@pytest.fixture
def world(shared_world, db):
    """Built once for the module; each test runs in a savepoint rolled back after it, so a
    POST that changes something leaves the world as built for the next test."""
    return shared_world


# --------------------------------------------------------------------------- addresses


def _none(w: SimpleNamespace) -> dict:
    return {}


def _inspection(w: SimpleNamespace, **more) -> dict:
    return {"reference": w.inspection.reference, **more}


def _case(w: SimpleNamespace, **more) -> dict:
    return {"public_id": w.case.public_id, **more}


def _part(w: SimpleNamespace) -> dict:
    return _case(w, part="referrals", part_id=w.parts["referrals"].public_id)


def _recommendation(w: SimpleNamespace) -> dict:
    return _inspection(w, kind="recommendations", public_id=w.recommendation.public_id)


def _job(w: SimpleNamespace) -> dict:
    return {"public_id": w.job.public_id}


def _colleague_membership(w: SimpleNamespace) -> dict:
    membership = Membership.objects.get(inspection=w.inspection, user=w.people.colleague)
    return {"public_id": membership.public_id}


def _step(w: SimpleNamespace) -> dict:
    return _case(w, code="2.1")


def _draft(w: SimpleNamespace, **more) -> dict:
    return {"slug": w.draft.slug, "version": w.draft.version, **more}


def _concern(w: SimpleNamespace) -> dict:
    return {"public_id": w.concern.public_id}


def _double(w: SimpleNamespace, **more) -> dict:
    return {"public_id": w.double_case.public_id, **more}


# Each row is what anonymous, inspector, outsider, qa, lead, manager and admin get (ROLES).
TEAM_READS = (LOGIN, 200, 404, 200, 200, 200, 200)  # the team, managers and administrators
NOT_THIS_METHOD = (LOGIN, 405, 405, 405, 405, 405, 405)  # before any lookup: tells nothing
LEAD_ONLY = (LOGIN, 403, 404, 403, 200, 403, 403)  # the lead's forms; empty POST: errors
LEAD_SUCCEEDS = (LOGIN, 403, 404, 403, 302, 403, 403)  # the lead's form with no required field
CASE_FILE_FORM = (LOGIN, 200, 404, 403, 200, 403, 403)  # those who score cases keep the file
MANAGERS_ONLY = (LOGIN, 403, 403, 403, 403, 200, 200)  # national views compare every team
# Evidence notes describe named children: the team and administrators only (docs/access.md).
TEAM_EXPORTS = (LOGIN, 200, 404, 200, 200, 403, 200)
EVERYONE = (LOGIN, 200, 200, 200, 200, 200, 200)
PUBLIC = (200,) * 7  # signed in or not
OWNER_ONLY = (LOGIN, 200, 404, 404, 404, 404, 404)  # a job: only who asked for it finds it
TEAM_STARTS = (LOGIN, 302, 404, 302, 302, 302, 302)  # a file everyone who reads may have made
TEAM_STARTS_EXPORT = (LOGIN, 302, 404, 302, 302, 403, 302)  # as TEAM_EXPORTS, for a POST
# Framework editors and administrators build framework versions; the cast holds no editor
# but the administrator. An empty POST to a form: its errors; to a button: done.
EDITORS = (LOGIN, 403, 403, 403, 403, 403, 200)
EDITORS_SUCCEED = (LOGIN, 403, 403, 403, 403, 403, 302)
SECOND_READER_ONLY = (LOGIN, 403, 404, 403, 403, 403, 403)  # nobody in ROLES reads it second

# Safeguarding concerns (docs/access.md): the team, never managers or administrators.
TEAM_RAISES = (LOGIN, 200, 404, 200, 200, 403, 403)
CONCERN_READS = (LOGIN, 200, 404, 200, 200, 404, 404)
CONCERN_LEAD = (LOGIN, 403, 404, 403, 200, 404, 404)

# Inspection managers and administrators (here the admin); for an inspection, also its lead.
SET_UP_ONLY_NEW = (LOGIN, 403, 403, 403, 403, 403, 200)
SET_UP_ONLY = (LOGIN, 403, 404, 403, 200, 403, 200)


@dataclass(frozen=True)
class Page:
    kwargs: Callable[[SimpleNamespace], dict]
    get: tuple
    post: tuple
    query: str = ""


MATRIX: dict[str, Page] = {
    # The home page and each person's queue show only what the person may see.
    "inspection:home": Page(_none, EVERYONE, NOT_THIS_METHOD),
    "inspection:detail": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "judgements:queue": Page(_none, EVERYONE, NOT_THIS_METHOD),
    # Each person's interview timetable lists only the interviews of their own cases.
    "casefiles:interviews": Page(_none, EVERYONE, NOT_THIS_METHOD),
    # The sample: everyone reads it; only the lead sets it up, draws it and replaces a case.
    "casefiles:sample": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "casefiles:sample_template": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "casefiles:sample_upload": Page(_inspection, LEAD_ONLY, LEAD_ONLY),
    # Empty boxes mean "no window" (every case of that type is eligible): a valid answer.
    "casefiles:sample_windows": Page(_inspection, LEAD_ONLY, LEAD_SUCCEEDS),
    "casefiles:sample_precision": Page(_inspection, LEAD_ONLY, LEAD_ONLY),
    "casefiles:sample_size_override": Page(
        lambda w: _inspection(w, sample_type="court_disposal"), LEAD_ONLY, LEAD_ONLY
    ),
    "casefiles:sample_draw": Page(_inspection, TEAM_READS, LEAD_ONLY),
    "casefiles:sample_replace": Page(
        lambda w: {"public_id": w.drawn_entry.public_id}, LEAD_ONLY, LEAD_ONLY
    ),
    # Case files: the team reads them; the lead, inspectors and partners keep them. Only the
    # lead adds a case outside the draw.
    "casefiles:list": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "casefiles:create": Page(_inspection, LEAD_ONLY, LEAD_ONLY),
    "casefiles:detail": Page(_case, TEAM_READS, NOT_THIS_METHOD),
    "casefiles:edit": Page(_case, CASE_FILE_FORM, CASE_FILE_FORM),
    "casefiles:part_add": Page(
        lambda w: _case(w, part="referrals"), CASE_FILE_FORM, CASE_FILE_FORM
    ),
    "casefiles:part_edit": Page(_part, CASE_FILE_FORM, CASE_FILE_FORM),
    "casefiles:part_delete": Page(_part, CASE_FILE_FORM, (LOGIN, 302, 404, 403, 302, 403, 403)),
    # Safeguarding concerns: anyone on the team raises one from a case; the team reads the
    # list (each sees what their work needs: docs/access.md), managers see counts only (on
    # the inspection page), so the list is refused them; a concern is "not found" for anyone
    # who may not read it (it was raised by the inspector on their case); the lead follows it
    # up. An empty POST to acknowledge is valid (the version is optional): the lead's succeeds.
    "casefiles:concern_raise": Page(_case, TEAM_RAISES, TEAM_RAISES),
    "casefiles:concerns": Page(_inspection, TEAM_RAISES, NOT_THIS_METHOD),
    "casefiles:concern_detail": Page(_concern, CONCERN_READS, NOT_THIS_METHOD),
    "casefiles:concern_acknowledge": Page(
        _concern, NOT_THIS_METHOD, (LOGIN, 403, 404, 403, 302, 404, 404)
    ),
    "casefiles:concern_referral": Page(_concern, CONCERN_LEAD, CONCERN_LEAD),
    "casefiles:concern_response": Page(_concern, CONCERN_LEAD, CONCERN_LEAD),
    "casefiles:concern_close": Page(_concern, CONCERN_LEAD, CONCERN_LEAD),
    # Judgements: the assigned inspector (or the lead) scores; an incomplete case is not
    # submitted (200, listing what is missing); autosave answers JSON. A step may be saved
    # with nothing answered yet (save and come back later).
    "judgements:case_summary": Page(_case, TEAM_READS, NOT_THIS_METHOD),
    "judgements:history": Page(_case, TEAM_READS, NOT_THIS_METHOD),
    "judgements:step": Page(_step, TEAM_READS, (LOGIN, 302, 404, 403, 302, 403, 403)),
    "judgements:autosave": Page(_step, NOT_THIS_METHOD, (LOGIN, 400, 404, 403, 400, 403, 403)),
    "judgements:submit": Page(_case, NOT_THIS_METHOD, CASE_FILE_FORM),
    # Check your answers: the team reads them; only the scorer is offered Submit.
    "judgements:check": Page(_case, TEAM_READS, NOT_THIS_METHOD),
    # "Start scoring" / "Continue scoring": the scorer to a step, anyone else to the summary.
    "judgements:resume": Page(_case, (LOGIN, 302, 404, 302, 302, 302, 302), NOT_THIS_METHOD),
    # After submitting: a case not submitted sends everyone back to its summary.
    "judgements:submitted": Page(_case, (LOGIN, 302, 404, 302, 302, 302, 302), NOT_THIS_METHOD),
    # "The rest of this step does not apply": those who score; an empty POST asks for the
    # reason that key questions left unanswered need as their note.
    "judgements:rest_not_applicable": Page(_step, CASE_FILE_FORM, CASE_FILE_FORM),
    # "Stay signed in" (the timeout warning): anyone signed in keeps their own session.
    "judgements:keep_alive": Page(_none, NOT_THIS_METHOD, EVERYONE),
    # Quality assurance (or the lead), never the inspector who scored the case.
    "judgements:moderate": Page(
        lambda w: {"public_id": w.qa_case.public_id},
        (LOGIN, 403, 404, 200, 200, 403, 403),
        (LOGIN, 403, 404, 200, 200, 403, 403),
    ),
    "judgements:qa_list": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "judgements:reopen": Page(
        lambda w: {"public_id": w.agreed_case.public_id}, LEAD_ONLY, LEAD_ONLY
    ),
    # Everyone who reads the inspection sees the assignments; only the lead changes them.
    "judgements:assign": Page(_inspection, TEAM_READS, LEAD_SUCCEEDS),
    # The automatic allocation is the lead's proposal to review; an empty POST (nothing to
    # allocate: every case here is assigned) is refused with the reason.
    "judgements:allocate": Page(_inspection, LEAD_ONLY, LEAD_ONLY),
    "judgements:organisation_ratings": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "judgements:organisation_rating_edit": Page(
        lambda w: _inspection(w, organisation=w.organisation.slug, code="1.1"),
        LEAD_ONLY,
        LEAD_ONLY,
    ),
    # Blind double scoring. The list of second readings: the team reads it, the lead selects
    # (an empty POST names what is missing). The second reading's own pages are for its second
    # reader only (the colleague here; see the blindness tests below), so everyone in ROLES is
    # refused. The reconciliation is for the two readers and the lead: this one waits for
    # both readings, so a POST is refused.
    "judgements:second_readings": Page(_inspection, TEAM_READS, LEAD_ONLY),
    "judgements:second_summary": Page(_double, SECOND_READER_ONLY, SECOND_READER_ONLY),
    "judgements:second_step": Page(
        lambda w: _double(w, code="2.1"), SECOND_READER_ONLY, SECOND_READER_ONLY
    ),
    "judgements:reconcile": Page(
        _double, (LOGIN, 200, 404, 403, 200, 403, 403), (LOGIN, 403, 404, 403, 403, 403, 403)
    ),
    # Agreement figures, from reconciled readings only: the team and managers read them.
    "judgements:agreement": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "judgements:agreement_csv": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    # Ratings are read-only.
    "reports:ratings": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "reports:ratings_tables": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "reports:ratings_standard": Page(
        lambda w: _inspection(w, code="2.1"), TEAM_READS, NOT_THIS_METHOD
    ),
    # The report: everyone reads it, checks it and downloads it; only the lead writes it.
    "reports:report": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "reports:report_check": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "reports:report_preview": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    # The PDF and the downloads are made by background jobs: GET offers "Create the file", a
    # POST starts the job for the person who asked (302 to its page).
    "reports:report_pdf": Page(_inspection, TEAM_READS, TEAM_STARTS),
    "reports:report_foreword": Page(_inspection, LEAD_ONLY, LEAD_ONLY),
    "reports:report_findings": Page(lambda w: _inspection(w, domain="1"), LEAD_ONLY, LEAD_ONLY),
    "reports:report_standard": Page(lambda w: _inspection(w, code="2.1"), LEAD_ONLY, LEAD_ONLY),
    "reports:report_item_add": Page(
        lambda w: _inspection(w, kind="recommendations"), LEAD_ONLY, LEAD_ONLY
    ),
    "reports:report_item_edit": Page(_recommendation, LEAD_ONLY, LEAD_ONLY),
    "reports:report_item_remove": Page(_recommendation, LEAD_ONLY, LEAD_SUCCEEDS),
    # Downloads: the answers for every reader; the whole inspection file, which holds the case
    # files' personal details, for the lead and administrators only.
    "reports:exchange": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "reports:answers_csv": Page(_inspection, TEAM_EXPORTS, TEAM_STARTS_EXPORT),
    "reports:answers_xlsx": Page(_inspection, TEAM_EXPORTS, TEAM_STARTS_EXPORT),
    "reports:inspection_json": Page(
        _inspection, (LOGIN, 403, 404, 403, 200, 403, 200), (LOGIN, 403, 404, 403, 302, 403, 302)
    ),
    # Deleting a published inspection's case data: the lead and administrators (the world's
    # inspection is not published, so the page says why not and an empty POST changes nothing).
    "reports:case_data_delete": Page(
        _inspection, (LOGIN, 403, 404, 403, 200, 403, 200), (LOGIN, 403, 404, 403, 200, 403, 200)
    ),
    # Dashboards: the national views for managers and administrators; an area or organisation
    # shows anyone else the inspections they are on, and is "not found" if none.
    "reports:dashboards": Page(_none, MANAGERS_ONLY, NOT_THIS_METHOD),
    "reports:dashboard_question": Page(lambda w: {"code": "2.1.1"}, MANAGERS_ONLY, NOT_THIS_METHOD),
    "reports:dashboard_referrals": Page(_none, MANAGERS_ONLY, NOT_THIS_METHOD),
    "reports:dashboard_organisation": Page(
        lambda w: {"slug": w.organisation.slug}, TEAM_READS, NOT_THIS_METHOD
    ),
    "reports:dashboard_area": Page(lambda w: {"slug": w.area.slug}, TEAM_READS, NOT_THIS_METHOD),
    "reports:dashboard_cases": Page(
        lambda w: _inspection(w, organisation=w.organisation.slug),
        TEAM_READS,
        NOT_THIS_METHOD,
        query="?standard=2.1",
    ),
    # Background jobs: only the person who asked (here the inspector) finds one; this one
    # failed, so there is no file, and "Try again" queues it again.
    "jobs:detail": Page(_job, OWNER_ONLY, NOT_THIS_METHOD),
    "jobs:download": Page(_job, (LOGIN, 404, 404, 404, 404, 404, 404), NOT_THIS_METHOD),
    "jobs:retry": Page(_job, NOT_THIS_METHOD, (LOGIN, 302, 404, 404, 404, 404, 404)),
    # Building framework versions: framework editors and administrators only.
    "frameworks:list": Page(_none, EDITORS, NOT_THIS_METHOD),
    "frameworks:start": Page(_none, EDITORS, EDITORS),
    "frameworks:import": Page(_none, EDITORS, EDITORS),
    "frameworks:compare": Page(
        _none,
        EDITORS,
        NOT_THIS_METHOD,
        query="?old=youth-offending-services/2018&new=youth-offending-services/2026",
    ),
    "frameworks:detail": Page(_draft, EDITORS, NOT_THIS_METHOD),
    "frameworks:details": Page(_draft, EDITORS, EDITORS),
    "frameworks:export": Page(_draft, EDITORS, NOT_THIS_METHOD),
    "frameworks:preview": Page(lambda w: _draft(w, code="2.1"), EDITORS, NOT_THIS_METHOD),
    "frameworks:add": Page(lambda w: _draft(w, kind="question"), EDITORS, EDITORS),
    "frameworks:edit": Page(lambda w: _draft(w, kind="question", code="2.1.1"), EDITORS, EDITORS),
    "frameworks:move": Page(
        lambda w: _draft(w, kind="question", code="2.1.2"), NOT_THIS_METHOD, EDITORS_SUCCEED
    ),
    "frameworks:remove": Page(
        lambda w: _draft(w, kind="question", code="2.1.2"), NOT_THIS_METHOD, EDITORS_SUCCEED
    ),
    # The copy passes every check, so publishing it succeeds.
    "frameworks:publish": Page(_draft, EDITORS, EDITORS_SUCCEED),
    # Setting up an inspection: inspection managers and administrators create one (an empty
    # form is refused with its errors); they and the lead change the set-up until fieldwork.
    "inspection:create": Page(_none, SET_UP_ONLY_NEW, SET_UP_ONLY_NEW),
    "inspection:edit": Page(_inspection, SET_UP_ONLY, SET_UP_ONLY),
    "inspection:created": Page(_inspection, SET_UP_ONLY, NOT_THIS_METHOD),
    # The team and its history: everyone who reads the inspection; only the lead changes it.
    "inspection:team": Page(_inspection, TEAM_READS, NOT_THIS_METHOD),
    "inspection:team_add": Page(_inspection, LEAD_ONLY, LEAD_ONLY),
    # The colleague has no cases, so the lead's confirmed removal succeeds.
    "inspection:team_remove": Page(_colleague_membership, LEAD_ONLY, LEAD_SUCCEEDS),
    # Moving the stage: the lead confirms "Start fieldwork" (no reason needed).
    "inspection:stage_move": Page(
        lambda w: _inspection(w, move="start-fieldwork"), LEAD_ONLY, LEAD_SUCCEEDS
    ),
    # Signing in sends a signed-in person home; an empty form is refused. Signing out is a POST.
    "login": Page(_none, (200, 302, 302, 302, 302, 302, 302), (200, 302, 302, 302, 302, 302, 302)),
    "logout": Page(_none, NOT_THIS_METHOD, (LOGIN, 302, 302, 302, 302, 302, 302)),
    # The footer's pages hold no case data and are read before signing in: open to anyone.
    "inspection:accessibility": Page(_none, PUBLIC, (405,) * 7),
    "inspection:privacy": Page(_none, PUBLIC, (405,) * 7),
    "inspection:cookies": Page(_none, PUBLIC, (405,) * 7),
    "inspection:help": Page(_none, PUBLIC, (405,) * 7),
    # Django's admin site signs people in on its own page, and lets in staff only.
    "admin:index": Page(_none, (ADMIN_LOGIN,) * 6 + (200,), (ADMIN_LOGIN,) * 6 + (200,)),
}


# --------------------------------------------------------------------------- the pages


def _named_patterns(resolver, namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def url_names() -> set[str]:
    """Every named page, except the admin site's own (but its index) and static files."""
    return {
        name
        for name in _named_patterns(get_resolver())
        if (not name.startswith("admin:") or name == "admin:index") and name != "static"
    }


def test_every_page_is_in_the_matrix():
    missing = sorted(url_names() - set(MATRIX))
    assert not missing, f"add it to the access matrix: {', '.join(missing)}"


def test_every_page_in_the_matrix_still_exists():
    gone = sorted(set(MATRIX) - url_names())
    assert not gone, f"no such page any more, remove it from the access matrix: {', '.join(gone)}"


# --------------------------------------------------------------------------- who gets what

# Rows that may change without anything being written: what opening a case leaves behind, and
# the report's pseudonyms, chosen once, the first time a report text is rendered.
UNTRACKED = {"judgements.ReadRecord", "reports.Pseudonym"}
PROJECT_APPS = {"inspection", "casefiles", "judgements", "reports"}


def _data() -> dict[str, list]:
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model._meta.label not in UNTRACKED
    }


def _describe(response) -> str:
    return f"{response.status_code} {response.get('Location', '')}".strip()


@pytest.mark.parametrize(
    ("name", "role", "method"),
    [
        pytest.param(name, role, method, id=f"{name}-{role}-{method}")
        for name in MATRIX
        for method in METHODS
        for role in ROLES
    ],
)
def test_access(client, world, name, role, method):
    page = MATRIX[name]
    expected = (page.get if method == "GET" else page.post)[ROLES.index(role)]
    url = reverse(name, kwargs=page.kwargs(world)) + page.query
    if role != "anonymous":
        client.force_login(
            getattr(world.people, role), backend="casefiles.concerns.backends.SignedInBackend"
        )
    before, reads_before = _data(), ReadRecord.objects.count()

    response = client.get(url) if method == "GET" else client.post(url, {})

    if expected == LOGIN:
        assert (response.status_code, response.get("Location")) == (
            302,
            f"{reverse('login')}?next={quote(url)}",
        )
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, _describe(response)
        assert response["Location"].startswith(reverse("admin:login")), _describe(response)
    else:
        assert response.status_code == expected, _describe(response)
        if expected == 302:
            assert not response["Location"].startswith(f"{reverse('login')}?"), "not signed in"
    if expected != 302:
        # A page that is only read, or a write that is refused, changes nothing.
        assert _data() == before
    if expected not in (200, 302):
        # Opening a case is recorded only when the person may: a refusal leaves no record.
        assert ReadRecord.objects.count() == reads_before


def test_an_empty_post_to_assign_leaves_every_case_as_it_was(client, world):
    # The lead's empty POST "succeeds" above; it must not unassign cases or take them out of QA.
    cases = Case.objects.order_by("reference").values_list(
        "reference", "inspector__username", "selected_for_qa", "status"
    )
    before = list(cases)
    client.force_login(world.people.lead, backend="casefiles.concerns.backends.SignedInBackend")

    response = client.post(reverse("judgements:assign", args=[world.inspection.reference]), {})

    assert response.status_code == 302
    assert list(cases) == before
    assert ("C-002", "inspector", True, Case.Status.IN_QA) in before


# --------------------------------------------------------------------------- what each role sees

ACCESS_DOC = Path(__file__).resolve().parent.parent / "docs" / "access.md"


def _access_table() -> dict[str, dict[str, bool]]:
    """docs/access.md's table: for each row, each role's yes or no."""
    lines = [line for line in ACCESS_DOC.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        table[cells[0]] = {role: cells[i] == "yes" for i, role in enumerate(header) if i}
    return table


def _page(client, name: str, **kwargs) -> tuple[int, str]:
    response = client.get(reverse(name, kwargs=kwargs))
    return response.status_code, response.content.decode()


def _sees_case(client, w: SimpleNamespace) -> bool:
    return _page(client, "judgements:case_summary", public_id=w.case.public_id)[0] == 200


def _sees_subject(client, w: SimpleNamespace) -> bool:
    status, html = _page(client, "casefiles:detail", public_id=w.case.public_id)
    shown = [text in html for text in ("Jayden Morgan", "1 May 2002", "Sam Collier")]
    assert all(shown) or not any(shown), shown
    return status == 200 and all(shown)


def _sees_children(client, w: SimpleNamespace) -> bool:
    status, html = _page(client, "casefiles:detail", public_id=w.case.public_id)
    shown = [text in html for text in ("Mia Morgan", "4 March 2012")]
    assert all(shown) or not any(shown), shown
    if status == 200 and not any(shown):
        assert "linked child: withheld" in html
    return status == 200 and all(shown)


def _sees_history_values(client, w: SimpleNamespace) -> bool:
    status, html = _page(client, "judgements:history", public_id=w.case.public_id)
    return status == 200 and "Mia Morgan" in html


def _starts_a_job(response) -> bool:
    """A POST that asks for a file: True when it started the job (302 to the job's page)."""
    return response.status_code == 302 and response["Location"].startswith("/jobs/")


def _downloads_evidence(client, w: SimpleNamespace) -> bool:
    for name in ("reports:answers_csv", "reports:answers_xlsx"):
        url = reverse(name, kwargs={"reference": w.inspection.reference})
        if client.get(url).status_code != 200 or not _starts_a_job(client.post(url)):
            return False
    return True


def _downloads_inspection(client, w: SimpleNamespace) -> bool:
    url = reverse("reports:inspection_json", kwargs={"reference": w.inspection.reference})
    return client.get(url).status_code == 200 and _starts_a_job(client.post(url))


def _drills_down(client, w: SimpleNamespace) -> bool:
    url = reverse(
        "reports:dashboard_cases",
        kwargs={"reference": w.inspection.reference, "organisation": w.organisation.slug},
    )
    return client.get(url + "?standard=2.1").status_code == 200


def _reads_concerns(client, w: SimpleNamespace) -> bool:
    status, html = _page(client, "casefiles:concern_detail", public_id=w.concern.public_id)
    listed, listing = _page(client, "casefiles:concerns", reference=w.inspection.reference)
    # The list names the concern (by when it was raised) only to those who may read it.
    link = reverse("casefiles:concern_detail", args=[w.concern.public_id])
    assert (listed == 200 and link in listing) == (status == 200)
    return status == 200 and "Bruising seen" in html


def _counts_concerns(client, w: SimpleNamespace) -> bool:
    status, html = _page(client, "inspection:detail", reference=w.inspection.reference)
    assert "Bruising" not in html
    return status == 200 and 'id="open-concerns"' in html and "1 open" in html


SEES = {
    "Case page: the case, its ratings and judgements": _sees_case,
    "Case page: name, date of birth and case manager of the person supervised": _sees_subject,
    "Case page: the children linked to the case (names, dates of birth)": _sees_children,
    "Case history: the case file's changes with their old and new values": _sees_history_values,
    "Answers extract (CSV, Excel) with every evidence note": _downloads_evidence,
    "The whole inspection as JSON (every case file, in full)": _downloads_inspection,
    "Drill-down from the dashboards to the cases behind a rating": _drills_down,
    "Safeguarding concerns: the child and what was found": _reads_concerns,
    "Safeguarding concerns: how many are open and overdue": _counts_concerns,
}


def test_the_access_table_has_a_check_for_every_row():
    assert set(_access_table()) == set(SEES)


@pytest.mark.parametrize("role", ["inspector", "qa", "lead", "manager", "admin", "outsider"])
def test_what_each_role_sees(client, role, world):
    child = world.parts["children"]
    CaseFileChange.objects.create(
        case=world.case,
        part="children",
        part_public_id=child.public_id,
        action=CaseFileChange.Action.CHANGED,
        field="Name",
        field_name="name",
        old_value="Mia Morgan",
        new_value="Mia Morgan-Lee",
        version=2,
        actor=world.people.lead,
        at=timezone.now(),
    )
    client.force_login(
        getattr(world.people, role), backend="casefiles.concerns.backends.SignedInBackend"
    )
    seen = {what: check(client, world) for what, check in SEES.items()}
    expected = {what: row[role] for what, row in _access_table().items()}
    assert seen == expected


def test_every_case_page_a_manager_opens_is_recorded(client, world):
    client.force_login(world.people.manager, backend="casefiles.concerns.backends.SignedInBackend")
    pages = [
        ("casefiles:detail", {"public_id": world.case.public_id}),
        ("judgements:case_summary", {"public_id": world.case.public_id}),
        ("judgements:history", {"public_id": world.case.public_id}),
        ("judgements:step", {"public_id": world.case.public_id, "code": "2.1"}),
    ]
    for name, kwargs in pages:
        before = ReadRecord.objects.filter(reader=world.people.manager).count()
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
        assert ReadRecord.objects.filter(reader=world.people.manager).count() == before + 1, name


# --------------------------------------------------------------------------- blind double scoring


def _as_double_read(world) -> SimpleNamespace:
    """The world with every case address pointing at the case read twice."""
    seen = SimpleNamespace(**vars(world))
    seen.case = seen.qa_case = seen.agreed_case = world.double_case
    return seen


def _every_response(client, world):
    """Every page of the matrix, GET and an empty POST, redirects followed, addressed at the
    case read twice: (name, method, text of the page it ends on)."""
    double = _as_double_read(world)
    for name, page in MATRIX.items():
        if name in ("logout", "login"):
            continue  # signing out or in again is not reading anything
        url = reverse(name, kwargs=page.kwargs(double)) + page.query
        for method in METHODS:
            if (name, method) == ("judgements:second_summary", "POST"):
                # Submitting the second reading: once both are in, the reconciliation page
                # shows both readings, by design (test_double_reading covers it).
                continue
            if method == "GET":
                response = client.get(url, follow=True)
            else:
                response = client.post(url, {}, follow=True)
            yield name, method, response.content.decode("utf-8", errors="replace")


def test_the_second_reader_cannot_reach_the_first_reading_by_any_url(client, world):
    client.force_login(
        world.people.colleague, backend="casefiles.concerns.backends.SignedInBackend"
    )
    shown = [
        (name, method)
        for name, method, text in _every_response(client, world)
        if FIRST_MARKER in text
    ]
    assert shown == []
    # Their own reading they do see.
    own = client.get(
        reverse(
            "judgements:second_step",
            kwargs={"public_id": world.double_case.public_id, "code": "2.1"},
        )
    )
    assert SECOND_MARKER in own.content.decode()
    # The answers extract (its background job writes these rows) leaves the case out.
    from reports.exchange.answers import answer_rows

    assert not any(FIRST_MARKER in cell for row in answer_rows(world.inspection) for cell in row)


def test_the_first_reader_cannot_reach_the_second_reading_by_any_url(client, world):
    client.force_login(
        world.people.inspector, backend="casefiles.concerns.backends.SignedInBackend"
    )
    shown = [
        (name, method)
        for name, method, text in _every_response(client, world)
        if SECOND_MARKER in text
    ]
    assert shown == []
    assert (
        FIRST_MARKER
        in client.get(
            reverse("judgements:check", kwargs={"public_id": world.double_case.public_id})
        ).content.decode()
    )


# --------------------------------------------------------------------------- approvers


@pytest.mark.parametrize(
    ("status", "reads"),
    [(status, status == Inspection.Status.APPROVAL) for status in Inspection.Status.values],
)
def test_an_approver_off_the_team_reads_an_inspection_only_while_it_awaits_approval(
    client, world, status, reads
):
    approver = world.people.outsider
    approver.approves_reports = True
    approver.save(update_fields=["approves_reports"])
    Inspection.objects.filter(pk=world.inspection.pk).update(status=status)
    client.force_login(approver, backend="casefiles.concerns.backends.SignedInBackend")

    pages = [
        reverse("inspection:detail", args=[world.inspection.reference]),
        reverse("inspection:team", args=[world.inspection.reference]),
        reverse("reports:report", args=[world.inspection.reference]),
        reverse("judgements:case_summary", args=[world.case.public_id]),
    ]
    statuses = {client.get(url).status_code for url in pages}

    assert statuses == ({200} if reads else {404})
    # Reading is not writing: the approver has no role, so no lead's form opens.
    refused = client.get(reverse("inspection:team_add", args=[world.inspection.reference]))
    assert refused.status_code == (403 if reads else 404)


def test_an_approver_off_the_team_sees_no_personal_details(client, world):
    approver = world.people.outsider
    approver.approves_reports = True
    approver.save(update_fields=["approves_reports"])
    Inspection.objects.filter(pk=world.inspection.pk).update(status=Inspection.Status.APPROVAL)
    client.force_login(approver, backend="casefiles.concerns.backends.SignedInBackend")

    response = client.get(reverse("casefiles:detail", args=[world.case.public_id]))

    assert response.status_code == 200
    assert "Jayden Morgan" not in response.content.decode()


@pytest.mark.parametrize("status", list(Inspection.Status))
@pytest.mark.parametrize("approves", [False, True], ids=["", "approver"])
def test_reading_one_object_and_listing_decide_alike(world, status, approves):
    """case_access and inspection_access decide in Python (permissions.reads_inspection)
    what the lists decide in SQL (Inspection.objects.visible_to): the same for every role,
    stage and approver."""
    inspection = world.inspection
    Inspection.objects.filter(pk=inspection.pk).update(status=status)
    inspection.refresh_from_db()
    for role in ROLES:
        if role == "anonymous":
            continue
        person = getattr(world.people, role)
        person.approves_reports = approves
        listed = Inspection.objects.visible_to(person).filter(pk=inspection.pk).exists()
        on_team = Membership.objects.filter(inspection=inspection, user=person).exists()
        assert permissions.reads_inspection(person, on_team=on_team, status=status) == listed, (
            role,
            status,
            approves,
        )
        try:
            access = inspection_access(person, inspection.reference)
        except Http404:
            assert not listed, (role, status, approves)
        else:
            assert listed, (role, status, approves)
            assert access.role == (
                Membership.objects.filter(inspection=inspection, user=person)
                .values_list("role", flat=True)
                .first()
            )
