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
from reports.management.commands.seed_demo import DEMO_PASSWORD

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
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()



@pytest.fixture
def seeded(db):
    seed()
    return counts()


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


def test_a_thematic_and_a_service_inspection(seeded):
    thematic = Inspection.objects.get(kind=Inspection.Kind.THEMATIC)
    assert thematic.organisations.values("area").distinct().count() >= 2
    # The service inspection rates one organisation; it is joint when partner inspectorates join.
    service = Inspection.objects.exclude(kind=Inspection.Kind.THEMATIC).get()
    assert service.kind in {Inspection.Kind.SERVICE, Inspection.Kind.JOINT}
    assert service.organisations.count() == 1
    assert {thematic.framework.slug, service.framework.slug} == {
        "child-protection-audit",
        "youth-offending-services",
    }


def test_about_thirty_cases_across_the_five_samples(seeded):
    assert 25 <= Case.objects.count() <= 40
    # The five samples of the two shipped frameworks (none draws resettlement or victims').
    shipped = set(SampleType.values) - {SampleType.RESETTLEMENT, SampleType.VICTIM}
    assert set(Case.objects.values_list("sample_type", flat=True)) == shipped
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
