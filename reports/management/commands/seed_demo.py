"""Demonstration data: fictional areas, services, inspections, cases and one user per role.

Three inspections: a service inspection in progress (fieldwork), a thematic across three
services with its cases scored and agreed, and a published service inspection reproducing
seed 004 (Barking and Dagenham YOS, 2018): 50 cases scored and agreed so that its key
questions and ratings are the published ones, the report written, approved and published.

Running it again changes nothing that is already there.
"""

import random
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from casefiles import models as cf
from casefiles.choices import (
    Agency,
    CheckKind,
    ChildRelationship,
    ContactMethod,
    Ethnicity,
    Gender,
    Level,
    MappaLevel,
    MeetingKind,
    OffenderRole,
    OrderType,
    PlanCategory,
    RequirementType,
    RiskSource,
    SampleType,
    SubjectKind,
)
from inspection.models import (
    Area,
    Framework,
    Inspection,
    Inspectorate,
    Membership,
    Organisation,
    User,
)
from reports.demo import builders

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demonstration only

PEOPLE = [
    # username, first, last, role on every inspection (None = not on a team), manager, staff
    ("lead", "Lena", "Hartley", Membership.Role.LEAD, False, False),
    ("inspector", "Ian", "Okafor", Membership.Role.INSPECTOR, False, False),
    ("colleague", "Carys", "Pryce", Membership.Role.INSPECTOR, False, False),
    ("qa", "Quentin", "Adebayo", Membership.Role.QUALITY_ASSURANCE, False, False),
    ("partner", "Priya", "Nair", Membership.Role.PARTNER, False, False),
    ("manager", "Morag", "Ellis", None, True, False),
    ("outsider", "Owen", "Stroud", None, False, False),
    ("admin", "Ada", "Brennan", None, False, True),
    ("approver", "Abel", "Quarshie", None, False, False),
    ("planner", "Petra", "Lomax", None, False, False),
    ("editor", "Esme", "Fairbairn", None, False, False),
]
# The service roles beyond the team: who approves reports, who sets up inspections, who
# builds framework versions.
SERVICE_ROLES = {
    "approver": ("approves_reports", "approver of reports"),
    "planner": ("sets_up_inspections", "inspection manager"),
    "editor": ("edits_frameworks", "framework editor"),
}

PUBLISHED = "bd-yos-2018-published"

FIRST_NAMES = [
    "Jayden",
    "Amelia",
    "Tyler",
    "Chloe",
    "Kai",
    "Maisie",
    "Reece",
    "Leah",
    "Callum",
    "Aisha",
    "Brandon",
    "Ellie",
    "Harvey",
    "Zara",
    "Lewis",
    "Megan",
    "Ryan",
    "Nia",
]
LAST_NAMES = [
    "Morgan",
    "Clarke",
    "Begum",
    "Walsh",
    "Osei",
    "Hughes",
    "Kowalski",
    "Turner",
    "Ahmed",
    "Doyle",
    "Fletcher",
    "Mensah",
    "Price",
    "Rahman",
    "Shaw",
    "Ward",
]
STREETS = ["Elm", "Mill", "Station", "Park"]
MANAGERS = ["Sam Collier", "Dee Patel", "Rob Tanner", "Faye Olsen"]


class Command(BaseCommand):
    help = "Create demonstration data (idempotent) and print the demonstration sign-ins."

    def handle(self, *args, **options):
        call_command("load_frameworks", stdout=self.stdout)
        with transaction.atomic():
            people = self.people()
            self.areas_and_services()
            thematic = self.thematic(people)
            service = self.service(people)
            published = self.published(people)
        self.stdout.write(self.style.SUCCESS("Demonstration data is ready."))
        self.stdout.write(
            f"Inspections: {thematic.reference} (thematic, scored), {service.reference} "
            f"(in progress), {published.reference} (published)"
        )
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with password {DEMO_PASSWORD} as:")
        for username, first, last, role, manager, staff in PEOPLE:
            what = (
                "administrator"
                if staff
                else "manager (read-only)"
                if manager
                else role.label.lower()
                if role
                else SERVICE_ROLES[username][1]
                if username in SERVICE_ROLES
                else "not on any team"
            )
            self.stdout.write(f"  {username:<10} {first} {last}, {what}")

    def people(self) -> dict[str, User]:
        people = {}
        for username, first, last, _role, manager, staff in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_manager": manager,
                    "is_staff": staff,
                    "is_superuser": staff,
                    **({SERVICE_ROLES[username][0]: True} if username in SERVICE_ROLES else {}),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            people[username] = user
        return people

    def areas_and_services(self) -> None:
        areas = [
            ("barking-and-dagenham", "Barking and Dagenham", "Metropolitan Police", "London"),
            ("reading", "Reading", "Thames Valley Police", "South Central"),
            ("bromley", "Bromley", "Metropolitan Police", "London"),
        ]
        for slug, name, police, region in areas:
            Area.objects.get_or_create(
                slug=slug, defaults={"name": name, "police_force_area": police, "region": region}
            )
        services = [
            (
                "barking-and-dagenham-yos",
                "Barking and Dagenham Youth Offending Service",
                Organisation.Kind.YOS,
                "barking-and-dagenham",
            ),
            ("reading-yot", "Reading Youth Offending Team", Organisation.Kind.YOT, "reading"),
            (
                "thames-valley-probation",
                "Thames Valley Probation Trust",
                Organisation.Kind.PROBATION_TRUST,
                "reading",
            ),
            (
                "london-probation-bromley",
                "London Probation Trust (Bromley)",
                Organisation.Kind.PROBATION_TRUST,
                "bromley",
            ),
        ]
        for slug, name, kind, area in services:
            Organisation.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "kind": kind, "area": Area.objects.get(slug=area)},
            )

    def inspection(
        self,
        *,
        reference,
        title,
        kind,
        framework_slug,
        organisations,
        start,
        people,
        status=Inspection.Status.FIELDWORK,
    ) -> tuple[Inspection, bool]:
        framework = (
            Framework.objects.filter(slug=framework_slug, status="published")
            .order_by("-version")
            .first()
        )
        inspection, created = Inspection.objects.get_or_create(
            reference=reference,
            defaults={
                "title": title,
                "kind": kind,
                "framework": framework,
                "fieldwork_start": start,
                "fieldwork_end": start + timedelta(days=11),
                "status": status,
            },
        )
        if created:
            inspection.organisations.set(Organisation.objects.filter(slug__in=organisations))
            for username, _first, _last, role, _manager, _staff in PEOPLE:
                if role:
                    Membership.objects.create(
                        inspection=inspection,
                        user=people[username],
                        role=role,
                        inspectorate=Inspectorate.OFSTED
                        if role == Membership.Role.PARTNER
                        else Inspectorate.HMI_PROBATION,
                    )
        return inspection, created

    def thematic(self, people) -> Inspection:
        inspection, created = self.inspection(
            reference="child-protection-thematic-2014",
            title="Protecting children: probation trusts and youth offending teams",
            kind=Inspection.Kind.THEMATIC,
            framework_slug="child-protection-audit",
            organisations=["reading-yot", "thames-valley-probation", "london-probation-bromley"],
            start=date(2014, 1, 13),
            people=people,
        )
        if created:
            rng = random.Random(2014)  # noqa: S311 - fixed demonstration data, not a secret
            organisations = list(inspection.organisations.all())
            samples = (
                [SampleType.NEW_ORDER] * 6 + [SampleType.CP_PLAN] * 6 + [SampleType.REFERRAL] * 6
            )
            for number, sample in enumerate(samples, start=1):
                organisation = organisations[number % len(organisations)]
                self.case(rng, inspection, organisation, sample, f"PT-{number:03d}", people)
        # Its cases scored and agreed, so the comparison tables have figures (once: a case
        # scored is no longer "not started").
        if builders.score_thematic(
            inspection=inspection, lead=people["lead"], qa=people["qa"], seed=2014
        ):
            builders.write_thematic_report(inspection=inspection, lead=people["lead"])
        return inspection

    def published(self, people) -> Inspection:
        """Seed 004 as a finished inspection: scored, agreed, rated, written, published."""
        inspection, created = self.inspection(
            reference=PUBLISHED,
            title="An inspection of youth offending services in Barking and Dagenham",
            kind=Inspection.Kind.SERVICE,
            framework_slug="youth-offending-services",
            organisations=["barking-and-dagenham-yos"],
            start=date(2018, 9, 10),
            people=people,
        )
        if not created:
            return inspection
        rng = random.Random(4)  # noqa: S311 - fixed demonstration data, not a secret
        organisation = inspection.organisations.get()

        def make_case(reference, sample, _index):
            return self.case(rng, inspection, organisation, sample, reference, people, None)

        builders.seed004_cases(
            inspection=inspection,
            make_case=make_case,
            inspectors=[people["inspector"], people["colleague"]],
            lead=people["lead"],
            qa=people["qa"],
        )
        builders.stage_set(inspection=inspection, status=Inspection.Status.REPORTING)
        builders.write_service_report(inspection=inspection, lead=people["lead"])
        approved = datetime(2018, 11, 20, 10, 0, tzinfo=UTC)
        builders.approve_and_publish(
            inspection=inspection,
            approver=people["approver"],
            approved_at=approved,
            published_at=approved + timedelta(days=7),
        )
        return inspection

    def service(self, people) -> Inspection:
        inspection, created = self.inspection(
            reference="yos-barking-dagenham-2018",
            title="Youth offending services in Barking and Dagenham",
            kind=Inspection.Kind.JOINT,
            framework_slug="youth-offending-services",
            organisations=["barking-and-dagenham-yos"],
            start=date(2018, 4, 16),
            people=people,
        )
        if created:
            rng = random.Random(2018)  # noqa: S311 - fixed demonstration data, not a secret
            organisation = inspection.organisations.get()
            samples = [SampleType.COURT_DISPOSAL] * 8 + [SampleType.OUT_OF_COURT] * 6
            for number, sample in enumerate(samples, start=1):
                self.case(rng, inspection, organisation, sample, f"BD-{number:03d}", people)
        return inspection

    def case(
        self, rng, inspection, organisation, sample, reference, people, inspector="by reference"
    ) -> cf.Case:
        """A case with a fictional file. ``inspector``: a user, None (not assigned), or by
        default the inspector or colleague, alternating by the reference's last digit."""
        youth = organisation.is_youth
        start = inspection.fieldwork_start
        age = rng.randint(12, 17) if youth else rng.randint(19, 45)
        born = start - timedelta(days=age * 365 + rng.randint(0, 300))
        case = cf.Case.objects.create(
            inspection=inspection,
            organisation=organisation,
            reference=reference,
            sample_type=sample,
            subject_kind=SubjectKind.CHILD if youth else SubjectKind.ADULT,
            subject_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            gender=rng.choice([Gender.MALE, Gender.MALE, Gender.MALE, Gender.FEMALE]),
            ethnicity=rng.choice(
                [
                    Ethnicity.WHITE,
                    Ethnicity.WHITE,
                    Ethnicity.BLACK,
                    Ethnicity.ASIAN,
                    Ethnicity.MIXED,
                ]
            ),
            date_of_birth=born,
            risk_of_serious_harm=rng.choice([Level.LOW, Level.MEDIUM, Level.MEDIUM, Level.HIGH]),
            safety_and_wellbeing=rng.choice([Level.LOW, Level.MEDIUM, Level.HIGH]) if youth else "",
            mappa_level=rng.choice([MappaLevel.NONE, MappaLevel.NONE, MappaLevel.LEVEL_1]),
            main_source_of_risk=rng.choice(list(RiskSource)),
            case_manager=rng.choice(MANAGERS),
            inspector=(
                people["inspector"]
                if reference.endswith(("1", "3", "5", "7", "9"))
                else people["colleague"]
            )
            if inspector == "by reference"
            else inspector,
        )
        order_start = {
            SampleType.COURT_DISPOSAL: start - timedelta(days=rng.randint(185, 270)),
            SampleType.OUT_OF_COURT: start - timedelta(days=rng.randint(95, 150)),
            SampleType.NEW_ORDER: start - timedelta(days=rng.randint(5, 88)),
        }.get(sample, start - timedelta(days=rng.randint(120, 400)))
        if sample == SampleType.OUT_OF_COURT:
            order_type = rng.choice(
                [
                    OrderType.COMMUNITY_RESOLUTION,
                    OrderType.YOUTH_CAUTION,
                    OrderType.YOUTH_CONDITIONAL_CAUTION,
                ]
            )
        elif youth:
            order_type = rng.choice(
                [OrderType.REFERRAL_ORDER, OrderType.YOUTH_REHABILITATION_ORDER]
            )
        else:
            order_type = rng.choice(
                [OrderType.COMMUNITY_ORDER, OrderType.SUSPENDED_SENTENCE, OrderType.LICENCE]
            )
        order = cf.Order.objects.create(
            case=case,
            order_type=order_type,
            start_date=order_start,
            end_date=order_start + timedelta(days=365),
        )
        if order_type in {OrderType.COMMUNITY_ORDER, OrderType.SUSPENDED_SENTENCE}:
            cf.Requirement.objects.create(
                order=order,
                requirement_type=rng.choice(
                    [
                        RequirementType.UNPAID_WORK,
                        RequirementType.SUPERVISION,
                        RequirementType.PROGRAMME,
                    ]
                ),
            )
        child = None
        if not youth:
            child = cf.LinkedChild.objects.create(
                case=case,
                name=f"{rng.choice(FIRST_NAMES)} {case.subject_name.split()[-1]}",
                date_of_birth=start - timedelta(days=rng.randint(400, 4000)),
                address=f"{rng.randint(2, 90)} {rng.choice(STREETS)} Road",
                relationship=rng.choice(
                    [ChildRelationship.SON_OR_DAUGHTER, ChildRelationship.PARTNERS_CHILD]
                ),
                lives_with_subject=rng.random() < 0.6,
                offender_role=rng.choice(list(OffenderRole)),
            )
        cf.AgencyCheck.objects.create(
            case=case,
            agency=Agency.CHILDRENS_SOCIAL_CARE,
            kind=CheckKind.CHECK,
            requested_date=order_start + timedelta(days=3),
            response_date=order_start + timedelta(days=rng.randint(4, 20)),
            outcome=rng.choice(
                ["Known to children's social care", "Not known", "Previously known; case closed"]
            ),
        )
        if sample == SampleType.CP_PLAN or rng.random() < 0.2:
            plan_start = order_start + timedelta(days=rng.randint(10, 60))
            cf.ChildProtectionPlan.objects.create(
                case=case,
                child=child,
                category=rng.choice(list(PlanCategory)),
                start_date=plan_start,
                initial_conference_date=plan_start,
                core_group_established=rng.random() < 0.7,
            )
            cf.Meeting.objects.create(
                case=case,
                kind=MeetingKind.ICPC,
                meeting_date=plan_start,
                invited=True,
                invitation_timely=rng.random() < 0.6,
                attended=rng.random() < 0.7,
                report_submitted=rng.random() < 0.5,
            )
            cf.Meeting.objects.create(
                case=case,
                kind=MeetingKind.CORE_GROUP,
                meeting_date=plan_start + timedelta(days=10),
                invited=True,
                invitation_timely=True,
                attended=rng.random() < 0.5,
            )
        if sample == SampleType.REFERRAL or rng.random() < 0.25:
            referral_date = order_start + timedelta(days=rng.randint(5, 40))
            answered = rng.random() < 0.7
            cf.Referral.objects.create(
                case=case,
                child=child,
                referral_date=referral_date,
                method=rng.choice(list(ContactMethod)),
                included_child_details=rng.random() < 0.7,
                described_risk=rng.random() < 0.6,
                stated_response_wanted=rng.random() < 0.4,
                response_date=referral_date + timedelta(days=rng.randint(1, 30))
                if answered
                else None,
                response_timely=rng.random() < 0.6 if answered else None,
                response_satisfactory=rng.random() < 0.6 if answered else None,
                followed_up=rng.random() < 0.5,
                escalated=rng.random() < 0.1,
            )
        if rng.random() < 0.6:
            cf.HomeVisit.objects.create(
                case=case,
                visit_date=order_start + timedelta(days=rng.randint(7, 60)),
                announced=rng.random() < 0.7,
                children_seen=rng.random() < 0.5,
                purpose=rng.choice(
                    ["Assess home conditions", "Review safety plan", "Meet the family"]
                ),
            )
        return case
