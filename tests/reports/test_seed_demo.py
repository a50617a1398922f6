"""The demonstration data: enough to walk through the service, and created only once."""

from io import StringIO

import pytest
from django.core.management import call_command

from casefiles.choices import SampleType
from casefiles.models import (
    AgencyCheck,
    Case,
    ChildProtectionPlan,
    HomeVisit,
    LinkedChild,
    Meeting,
    Order,
    Referral,
    Requirement,
)
from inspection.models import (
    Area,
    Framework,
    Inspection,
    Membership,
    Organisation,
    User,
)
from judgements.models import Answer, AuditEvent, ModerationDecision, OrganisationRating
from reports.management.commands.seed_demo import DEMO_PASSWORD, PUBLISHED
from reports.models import Recommendation, Report
from reports.ratings.selectors import inspection_rating
from reports.ratings.tables import thematic_tables
from tests.conftest import module_data
from tests.support.seed004 import (
    SEED004_OVERALL_RATING,
    SEED004_OVERALL_SCORE,
    SEED004_PERCENTS,
    SEED004_RATINGS,
)

COUNTED = [
    User,
    Area,
    Organisation,
    Framework,
    Inspection,
    Membership,
    Case,
    Order,
    Requirement,
    LinkedChild,
    ChildProtectionPlan,
    Referral,
    AgencyCheck,
    Meeting,
    HomeVisit,
    Answer,
    AuditEvent,
    ModerationDecision,
    OrganisationRating,
    Report,
    Recommendation,
]

IN_PROGRESS = "yos-barking-dagenham-2018"
THEMATIC = "child-protection-thematic-2014"


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _seed_once() -> dict[str, int]:
    seed()
    return counts()


@pytest.fixture(scope="module")
def shared_seeded(django_db_setup, django_db_blocker):
    # Scoring and agreeing 68 cases takes a while: seeded once for the module's tests.
    yield from module_data(django_db_blocker, _seed_once)


@pytest.fixture
def seeded(shared_seeded, db):
    return shared_seeded


def test_running_it_again_changes_nothing(seeded):
    output = seed()
    assert counts() == seeded
    assert "Demonstration data is ready." in output


def test_areas_and_organisations(seeded):
    assert Area.objects.count() >= 2
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds & set(Organisation.YOUTH_KINDS), "a youth offending service"
    assert kinds & {"probation_trust", "nps_division", "crc", "pdu"}, "a probation service"
    assert Organisation.objects.values("area").distinct().count() >= 2


def test_a_thematic_one_in_progress_and_one_published(seeded):
    thematic = Inspection.objects.get(kind=Inspection.Kind.THEMATIC)
    assert thematic.reference == THEMATIC
    assert thematic.organisations.values("area").distinct().count() >= 2
    # The service inspections rate one organisation; joint when partner inspectorates join.
    services = Inspection.objects.exclude(kind=Inspection.Kind.THEMATIC)
    assert set(services.values_list("reference", flat=True)) == {IN_PROGRESS, PUBLISHED}
    for service in services:
        assert service.kind in {Inspection.Kind.SERVICE, Inspection.Kind.JOINT}
        assert service.organisations.count() == 1
        assert service.framework.slug == "youth-offending-services"
    assert thematic.framework.slug == "child-protection-audit"
    assert services.get(reference=IN_PROGRESS).status == Inspection.Status.FIELDWORK


def test_the_published_inspection_reproduces_seed004(seeded):
    published = Inspection.objects.get(reference=PUBLISHED)
    cases = Case.objects.filter(inspection=published)
    assert cases.count() == 50
    assert cases.filter(status=Case.Status.AGREED).count() == 50
    assert cases.filter(sample_type="court_disposal").count() == 31
    summary = inspection_rating(published)
    result = summary.result
    percents = {
        kq.code: kq.tally.whole_percent
        for standard in result.standards
        if standard.judged_by == "cases"
        for kq in standard.key_questions
    }
    assert percents == SEED004_PERCENTS
    assert {s.code: s.rating for s in result.standards} == SEED004_RATINGS
    assert (result.score, result.rating) == (SEED004_OVERALL_SCORE, SEED004_OVERALL_RATING)
    assert summary.cases_counted == 50


def test_the_published_inspection_was_written_approved_and_published(seeded):
    published = Inspection.objects.get(reference=PUBLISHED)
    assert published.status == Inspection.Status.PUBLISHED
    assert published.is_approved
    assert published.approved_by.username == "approver"
    assert published.approved_by.approves_reports
    assert not Membership.objects.filter(inspection=published, user=published.approved_by)
    assert published.approved_at < published.published_at
    report = Report.objects.get(inspection=published)
    assert report.foreword.startswith("This is a report of a joint inspection")
    assert Recommendation.objects.filter(report=report).count() == 5
    # Every judgement went through the services: each answer and assignment is audited.
    events = AuditEvent.objects.filter(inspection=published)
    assert events.filter(action=AuditEvent.Action.ASSIGNED).count() == 50
    assert events.filter(action=AuditEvent.Action.MODERATED).count() == 50
    assert Answer.objects.filter(case__inspection=published).count() > 50 * 23
    assert OrganisationRating.objects.filter(inspection=published).count() == 4


def test_the_thematic_has_scored_cases_in_every_organisation(seeded):
    thematic = Inspection.objects.get(reference=THEMATIC)
    cases = Case.objects.filter(inspection=thematic)
    assert cases.count() == cases.filter(status=Case.Status.AGREED).count() >= 15
    organisations = set(thematic.organisations.values_list("pk", flat=True))
    assert set(cases.values_list("organisation", flat=True)) == organisations
    assert len(organisations) >= 3
    tables = thematic_tables(thematic)
    assert tables.total_cases_read == cases.count()
    assert all(read > 0 for read in tables.cases_read), "every organisation has figures"


def test_the_cases_in_progress_and_the_thematics_cover_the_five_samples(seeded):
    in_progress = Case.objects.filter(inspection__reference__in=[IN_PROGRESS, THEMATIC])
    assert 25 <= in_progress.count() <= 40
    # The five samples of the two shipped frameworks (none draws resettlement or victims').
    shipped = set(SampleType.values) - {SampleType.RESETTLEMENT, SampleType.VICTIM}
    assert set(in_progress.values_list("sample_type", flat=True)) == shipped
    assert not Case.objects.filter(
        inspection__reference=IN_PROGRESS, status__in=Case.COUNTED_STATUSES
    ).exists()
    for case in Case.objects.select_related("inspection", "organisation"):
        assert case.inspection.organisations.filter(pk=case.organisation_id).exists()
        case.full_clean()


def test_case_files_hold_orders_plans_referrals_and_meetings(seeded):
    assert Order.objects.values("case").distinct().count() == Case.objects.count()
    assert ChildProtectionPlan.objects.exists()
    assert Referral.objects.exists()
    assert Meeting.objects.exists()
    assert AgencyCheck.objects.exists()
    assert not Case.objects.filter(sample_type=SampleType.CP_PLAN, plans__isnull=True).exists()
    assert not Case.objects.filter(sample_type=SampleType.REFERRAL, referrals__isnull=True).exists()


def test_one_person_per_role(seeded):
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    for role in Membership.Role.values:
        people = Membership.objects.filter(role=role).values("user").distinct().count()
        assert people >= 1, role
    assert User.objects.filter(is_manager=True, is_staff=False).exists()
    assert User.objects.filter(is_staff=True, is_superuser=True).exists()
    outsiders = User.objects.filter(memberships__isnull=True, is_manager=False, is_staff=False)
    assert outsiders.exists()
    partner = Membership.objects.filter(role=Membership.Role.PARTNER).first()
    assert partner.inspectorate != "hmip"
    assert User.objects.get(username="lead").check_password(DEMO_PASSWORD)


def test_each_service_role_has_a_demonstration_account_on_no_team(seeded):
    roles = {
        "approver": "approves_reports",
        "planner": "sets_up_inspections",
        "editor": "edits_frameworks",
    }
    for username, flag in roles.items():
        user = User.objects.get(username=username)
        assert getattr(user, flag), username
        assert user.check_password(DEMO_PASSWORD)
        assert not Membership.objects.filter(user=user).exists(), username
    # Nobody else holds them: the team's accounts show the service as a team sees it.
    for flag in roles.values():
        assert set(User.objects.filter(**{flag: True}).values_list("username", flat=True)) == {
            name for name, f in roles.items() if f == flag
        }
