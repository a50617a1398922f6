"""The database refuses impossible case files; Case.clean() refuses what the database cannot see."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from casefiles.models import (
    AgencyCheck,
    Case,
    ChildProtectionPlan,
    Meeting,
    Order,
    Referral,
    Requirement,
)
from inspection.models import Inspection, Membership, Organisation
from tests.conftest import make_case, make_inspection, make_user


def refused(build) -> None:
    """The database refuses the row built by `build`, and the transaction survives."""
    with pytest.raises(IntegrityError), transaction.atomic():
        build()


@pytest.fixture
def other_organisation(area):
    return Organisation.objects.create(
        slug="bd-probation", name="Barking and Dagenham probation", kind="pdu", area=area
    )


# Dates in order -----------------------------------------------------------------------------


def test_order_cannot_end_before_it_starts(case):
    refused(
        lambda: Order.objects.create(
            case=case,
            order_type="yro",
            start_date=date(2017, 6, 1),
            end_date=date(2017, 5, 31),
        )
    )
    assert not Order.objects.exists()


def test_order_may_end_on_its_start_date_or_be_open(case):
    Order.objects.create(
        case=case, order_type="yro", start_date=date(2017, 6, 1), end_date=date(2017, 6, 1)
    )
    Order.objects.create(case=case, order_type="referral_order", start_date=date(2017, 6, 1))
    assert Order.objects.filter(case=case).count() == 2


def test_plan_cannot_end_before_it_starts(case):
    refused(
        lambda: ChildProtectionPlan.objects.create(
            case=case,
            category="neglect",
            start_date=date(2017, 6, 1),
            end_date=date(2017, 1, 1),
        )
    )
    assert not ChildProtectionPlan.objects.exists()


def test_referral_response_cannot_come_before_the_referral(case):
    refused(
        lambda: Referral.objects.create(
            case=case,
            referral_date=date(2017, 6, 10),
            method="phone",
            response_date=date(2017, 6, 9),
        )
    )
    assert not Referral.objects.exists()


def test_referral_answered_the_same_day_is_accepted(case):
    Referral.objects.create(
        case=case,
        referral_date=date(2017, 6, 10),
        method="phone",
        response_date=date(2017, 6, 10),
    )
    assert Referral.objects.filter(case=case).count() == 1


def test_check_response_cannot_come_before_the_request(case):
    refused(
        lambda: AgencyCheck.objects.create(
            case=case,
            agency="police",
            kind="check",
            requested_date=date(2017, 6, 10),
            response_date=date(2017, 6, 1),
        )
    )
    assert not AgencyCheck.objects.exists()


def test_fieldwork_cannot_end_before_it_starts(yos_framework):
    refused(
        lambda: Inspection.objects.create(
            reference="backwards",
            title="Backwards",
            kind=Inspection.Kind.SERVICE,
            framework=yos_framework,
            fieldwork_start=date(2018, 4, 16),
            fieldwork_end=date(2018, 4, 15),
        )
    )
    assert not Inspection.objects.filter(reference="backwards").exists()


# Uniqueness ---------------------------------------------------------------------------------


def test_case_reference_is_unique_within_an_inspection(case):
    refused(lambda: make_case(case.inspection, reference=case.reference))
    assert Case.objects.filter(reference=case.reference).count() == 1


def test_the_same_case_reference_may_be_used_in_another_inspection(
    case, yos_framework, organisation, people
):
    other = make_inspection(
        framework=yos_framework,
        organisations=[organisation],
        people=people,
        reference="yos-bd-2019",
    )
    make_case(other, reference=case.reference)
    assert Case.objects.filter(reference=case.reference).count() == 2


def test_a_person_has_one_membership_per_inspection(inspection, people):
    refused(
        lambda: Membership.objects.create(
            inspection=inspection, user=people.inspector, role=Membership.Role.QUALITY_ASSURANCE
        )
    )
    assert Membership.objects.filter(inspection=inspection, user=people.inspector).count() == 1


def test_only_partner_inspectors_come_from_another_inspectorate(inspection):
    newcomer = make_user("newcomer")
    refused(
        lambda: Membership.objects.create(
            inspection=inspection,
            user=newcomer,
            role=Membership.Role.INSPECTOR,
            inspectorate="ofsted",
        )
    )
    assert not Membership.objects.filter(user=newcomer).exists()
    Membership.objects.create(
        inspection=inspection, user=newcomer, role=Membership.Role.PARTNER, inspectorate="cqc"
    )
    assert Membership.objects.get(user=newcomer).inspectorate == "cqc"


def test_a_requirement_appears_once_on_an_order(case):
    order = Order.objects.create(
        case=case, order_type="community_order", start_date=date(2017, 1, 9)
    )
    Requirement.objects.create(order=order, requirement_type="unpaid_work")
    refused(lambda: Requirement.objects.create(order=order, requirement_type="unpaid_work"))
    assert order.requirements.count() == 1


# Meetings ------------------------------------------------------------------------------------


def test_invitation_timeliness_needs_an_invitation(case):
    refused(
        lambda: Meeting.objects.create(
            case=case,
            kind="icpc",
            meeting_date=date(2017, 6, 1),
            invited=False,
            invitation_timely=True,
        )
    )
    assert not Meeting.objects.exists()
    Meeting.objects.create(case=case, kind="icpc", meeting_date=date(2017, 6, 1), invited=False)
    assert Meeting.objects.filter(case=case, invitation_timely__isnull=True).count() == 1


# Case.clean ---------------------------------------------------------------------------------


def test_case_clean_refuses_a_date_of_birth_in_the_future(case):
    case.date_of_birth = date.today() + timedelta(days=1)  # noqa: DTZ011
    with pytest.raises(ValidationError) as error:
        case.clean()
    assert error.value.message_dict == {
        "date_of_birth": ["Date of birth must be today or in the past"]
    }


def test_case_clean_refuses_an_organisation_outside_the_inspection(case, other_organisation):
    case.organisation = other_organisation
    with pytest.raises(ValidationError) as error:
        case.clean()
    assert error.value.message_dict == {
        "organisation": ["Organisation must be one of the inspection's organisations"]
    }


def test_case_clean_accepts_a_sound_case(case):
    case.date_of_birth = date.today()  # noqa: DTZ011
    case.clean()


# Querysets and derived values -------------------------------------------------------------------


def test_cases_visible_only_through_the_team(case, people):
    assert list(Case.objects.visible_to(people.inspector)) == [case]
    assert list(Case.objects.visible_to(people.qa)) == [case]
    assert list(Case.objects.visible_to(people.manager)) == [case]
    assert list(Case.objects.visible_to(people.admin)) == [case]
    assert not Case.objects.visible_to(people.outsider).exists()


def test_case_status_decides_locking_and_counting(case):
    assert not case.is_locked
    assert not case.counts_towards_ratings
    case.status = Case.Status.SUBMITTED
    assert case.counts_towards_ratings
    case.status = Case.Status.AGREED
    assert case.is_locked
    assert case.counts_towards_ratings


def test_referral_content_is_complete_only_with_all_three_parts(case):
    referral = Referral(
        case=case,
        referral_date=date(2017, 6, 1),
        method="form",
        included_child_details=True,
        described_risk=True,
        stated_response_wanted=False,
    )
    assert not referral.content_complete
    referral.stated_response_wanted = True
    assert referral.content_complete
