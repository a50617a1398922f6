"""The parts of a case file, each declared once.

Every place that handles "each part of a case file" reads this registry rather than listing
the parts again: the case page's tables and timeline (presenters, selectors), the part
forms' fields and the add / change / remove pages (forms, views), the exchange file's export
and import, and the retention purge's counts.

A part's ``slug`` is at the same time the word in its addresses (``/cases/<id>/referrals/``),
its key in the exchange file (``"referrals": [...]``) and the case's related name
(``case.referrals``). Requirements are not a part of their own: they belong to an order
(``Part.sub_parts``), are edited on the order's form and exported inside each order.

Parts are listed in the order the case page shows them; a linked child comes before the
plans and referrals that may name it, which the import relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import models as db
from django.db.models import Prefetch
from django.utils.module_loading import import_string

from inspection.dates import govuk_date, govuk_time

from .models import (
    AgencyCheck,
    CaseFilePart,
    ChildProtectionPlan,
    HomeVisit,
    Interview,
    LinkedChild,
    Meeting,
    Order,
    Referral,
)


def yes_no(value) -> str:
    if value is None:
        return "Not known"
    return "Yes" if value else "No"


def day(value) -> str:
    return govuk_date(value) if value else ""


def with_article(noun: str) -> str:
    """'an order', 'a referral'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


@dataclass(frozen=True)
class Column:
    """One column of the part's table on the case page."""

    heading: str
    cell: Callable[[db.Model], object]
    # What the cell says to someone who may not see personal data, when the cell names someone.
    withheld: Callable[[db.Model], object] | None = None

    def value(self, item: db.Model, *, personal: bool = True) -> object:
        return self.cell(item) if personal or self.withheld is None else self.withheld(item)


@dataclass(frozen=True)
class Moment:
    """What the case's timeline says about one part."""

    when: date
    kind: str
    title: str
    detail: str


@dataclass(frozen=True)
class Part:
    slug: str
    model: type[CaseFilePart]
    noun: str  # one of them, in a sentence: "check or notification"
    title: str  # the heading of their table: "Checks and notifications"
    form_path: str  # the form that adds and changes one (casefiles.forms)
    fields: tuple[str, ...]  # what a person records: the form's fields and the file's keys
    columns: tuple[Column, ...]
    export_order: tuple[str, ...]  # the exchange file lists them by these, then public id
    related: tuple[str, ...] = ()  # read with each one: its requirements, the child named
    moment: Callable[[db.Model], Moment] | None = None  # on the timeline, if it has a date
    sub_parts: str | None = None  # the related name of what each one holds (requirements)
    # Who the rows are is the point of the part (linked children): withheld whole from someone
    # who may not see personal data (inspection.permissions.may_see_personal_data).
    names_people: bool = False
    # The timeline's words for someone who may not see personal data, where they differ.
    moment_withheld: Callable[[db.Model], Moment] | None = None

    def moment_of(self, item: db.Model, *, personal: bool = True) -> Moment | None:
        if self.moment is None:
            return None
        if not personal and self.moment_withheld is not None:
            return self.moment_withheld(item)
        return self.moment(item)

    @property
    def form(self) -> type:
        # Named by its path: the forms read the fields declared here.
        return import_string(self.form_path)

    @property
    def a_noun(self) -> str:
        return with_article(self.noun)

    def prefetch(self, *, shown: bool = True) -> Prefetch:
        """The case's parts of this kind, in one query, with what each is shown with (or, for
        the exchange file, only with what each one holds)."""
        lookups = self.related if shown else ((self.sub_parts,) if self.sub_parts else ())
        # What each one points to (the child named) joins in; what it holds is one more query.
        joined = [name for name in lookups if self.model._meta.get_field(name).many_to_one]
        held = [name for name in lookups if name not in joined]
        queryset = self.model.objects.prefetch_related(*held)
        if joined:
            # Only what is named: select_related() with no names would join every foreign
            # key (the case, its inspection, framework, organisation and area) into each row.
            queryset = queryset.select_related(*joined)
        return Prefetch(self.slug, queryset=queryset)

    def of(self, case) -> list:
        """The case's parts of this kind (from a prefetch if there is one)."""
        return list(getattr(case, self.slug).all())


def _order_moment(order: Order) -> Moment:
    requirements = ", ".join(str(r) for r in order.requirements.all())
    return Moment(
        order.start_date,
        "Order",
        f"{order} started",
        requirements and f"Requirements: {requirements}",
    )


def _plan_moment(plan: ChildProtectionPlan, *, personal: bool = True) -> Moment:
    if plan.child:
        child = plan.child.name if personal else "a linked child"
    else:
        child = "the child supervised"
    return Moment(plan.start_date, "Plan", f"{plan} began", f"For {child}")


def _referral_moment(referral: Referral) -> Moment:
    if referral.response_date:
        response = f"response on {referral.response_date:%-d %B %Y}"
    else:
        response = "no response recorded"
    return Moment(
        referral.referral_date,
        "Referral",
        "Referral to children's social care",
        f"By {referral.get_method_display().lower()}; {response}",
    )


def _visit_moment(visit: HomeVisit) -> Moment:
    seen = "children seen" if visit.children_seen else "children not seen"
    return Moment(visit.visit_date, "Visit", "Home visit", f"{visit.purpose} ({seen})".strip())


ORDERS = Part(
    slug="orders",
    model=Order,
    noun="order",
    title="Orders",
    form_path="casefiles.forms.OrderForm",
    fields=("order_type", "start_date", "end_date"),
    columns=(
        Column("Order", lambda o: o.get_order_type_display()),
        Column("Start", lambda o: day(o.start_date)),
        Column("End", lambda o: day(o.end_date)),
        Column("Requirements", lambda o: ", ".join(str(r) for r in o.requirements.all())),
    ),
    export_order=("start_date", "order_type"),
    related=("requirements",),
    moment=_order_moment,
    sub_parts="requirements",
)
CHILDREN = Part(
    slug="children",
    model=LinkedChild,
    noun="linked child",
    title="Linked children",
    form_path="casefiles.forms.ChildForm",
    fields=(
        "name",
        "date_of_birth",
        "address",
        "relationship",
        "lives_with_subject",
        "offender_role",
    ),
    columns=(
        Column("Name", lambda c: c.name),
        Column("Date of birth", lambda c: day(c.date_of_birth)),
        Column("Relationship", lambda c: c.get_relationship_display()),
        Column("Lives with", lambda c: yes_no(c.lives_with_subject)),
        Column("Person supervised is", lambda c: c.get_offender_role_display()),
    ),
    export_order=("name",),
    names_people=True,
)
PLANS = Part(
    slug="plans",
    model=ChildProtectionPlan,
    noun="child protection plan",
    title="Child protection plans",
    form_path="casefiles.forms.PlanForm",
    fields=(
        "child",
        "category",
        "start_date",
        "end_date",
        "initial_conference_date",
        "core_group_established",
    ),
    columns=(
        Column(
            "For",
            lambda p: p.child.name if p.child else "Child supervised",
            withheld=lambda p: "A linked child" if p.child else "Child supervised",
        ),
        Column("Category", lambda p: p.get_category_display()),
        Column("Start", lambda p: day(p.start_date)),
        Column("End", lambda p: day(p.end_date)),
        Column("Conference", lambda p: day(p.initial_conference_date)),
        Column("Core group", lambda p: yes_no(p.core_group_established)),
    ),
    export_order=("start_date",),
    related=("child",),
    moment=_plan_moment,
    moment_withheld=lambda plan: _plan_moment(plan, personal=False),
)
REFERRALS = Part(
    slug="referrals",
    model=Referral,
    noun="referral",
    title="Referrals to children's social care",
    form_path="casefiles.forms.ReferralForm",
    fields=(
        "child",
        "referral_date",
        "method",
        "included_child_details",
        "described_risk",
        "stated_response_wanted",
        "response_date",
        "response_timely",
        "response_satisfactory",
        "followed_up",
        "escalated",
        "notes",
    ),
    columns=(
        Column("Date", lambda r: day(r.referral_date)),
        Column("Method", lambda r: r.get_method_display()),
        Column(
            "Details, risk and response asked",
            lambda r: (
                f"{yes_no(r.included_child_details)}, {yes_no(r.described_risk)}, "
                f"{yes_no(r.stated_response_wanted)}"
            ),
        ),
        Column("Response", lambda r: day(r.response_date) or "None recorded"),
        Column("Timely", lambda r: yes_no(r.response_timely)),
        Column("Satisfactory", lambda r: yes_no(r.response_satisfactory)),
        Column("Followed up", lambda r: yes_no(r.followed_up)),
        Column("Escalated", lambda r: yes_no(r.escalated)),
    ),
    export_order=("referral_date",),
    related=("child",),
    moment=_referral_moment,
)
CHECKS = Part(
    slug="checks",
    model=AgencyCheck,
    noun="check or notification",
    title="Checks and notifications",
    form_path="casefiles.forms.CheckForm",
    fields=("agency", "kind", "requested_date", "response_date", "outcome"),
    columns=(
        Column("Agency", lambda c: c.get_agency_display()),
        Column("Kind", lambda c: c.get_kind_display()),
        Column("Made", lambda c: day(c.requested_date)),
        Column("Response", lambda c: day(c.response_date)),
        Column("Outcome", lambda c: c.outcome),
    ),
    export_order=("requested_date",),
    moment=lambda c: Moment(c.requested_date, "Check", str(c), c.outcome),
)
MEETINGS = Part(
    slug="meetings",
    model=Meeting,
    noun="meeting",
    title="Multi-agency meetings",
    form_path="casefiles.forms.MeetingForm",
    fields=("kind", "meeting_date", "invited", "invitation_timely", "attended", "report_submitted"),
    columns=(
        Column("Meeting", lambda m: m.get_kind_display()),
        Column("Date", lambda m: day(m.meeting_date)),
        Column("Invited", lambda m: yes_no(m.invited)),
        Column("Invitation timely", lambda m: yes_no(m.invitation_timely)),
        Column("Attended", lambda m: yes_no(m.attended)),
        Column("Report", lambda m: yes_no(m.report_submitted)),
    ),
    export_order=("meeting_date",),
    moment=lambda m: Moment(
        m.meeting_date, "Meeting", str(m), "attended" if m.attended else "not attended"
    ),
)
VISITS = Part(
    slug="visits",
    model=HomeVisit,
    noun="home visit",
    title="Home visits",
    form_path="casefiles.forms.VisitForm",
    fields=("visit_date", "announced", "children_seen", "purpose"),
    columns=(
        Column("Date", lambda v: day(v.visit_date)),
        Column("Announced", lambda v: yes_no(v.announced)),
        Column("Children seen", lambda v: yes_no(v.children_seen)),
        Column("Purpose", lambda v: v.purpose),
    ),
    export_order=("visit_date",),
    moment=_visit_moment,
)


def interview_held(interview: Interview) -> str:
    if interview.held is None:
        return "Not yet"
    if interview.held:
        return "Yes"
    return f"No: {interview.not_held_reason}" if interview.not_held_reason else "No"


def _interview_moment(interview: Interview) -> Moment:
    return Moment(
        interview.interview_date,
        "Interview",
        f"Interview with the {interview.role or interview.get_kind_display().lower()}",
        f"{interview.get_mode_display()}; held: {interview_held(interview).lower()}",
    )


INTERVIEWS = Part(
    slug="interviews",
    model=Interview,
    noun="interview",
    title="Interviews",
    form_path="casefiles.forms.InterviewForm",
    fields=(
        "kind",
        "interviewee",
        "role",
        "interview_date",
        "time",
        "mode",
        "held",
        "not_held_reason",
        "notes",
    ),
    columns=(
        Column(
            "Who",
            lambda i: f"{i.interviewee} ({i.role})",
            withheld=lambda i: f"Withheld ({i.role})",
        ),
        Column(
            "When",
            lambda i: (
                f"{day(i.interview_date)} at {govuk_time(i.time)}"
                if i.time
                else day(i.interview_date)
            ),
        ),
        Column("How", lambda i: i.get_mode_display()),
        Column("Held", interview_held),
        # Interview notes name people, as evidence notes do: the team's only.
        Column("Notes", lambda i: i.notes, withheld=lambda i: "Withheld" if i.notes else ""),
    ),
    export_order=("interview_date", "time"),
    moment=_interview_moment,
)

PARTS: tuple[Part, ...] = (
    ORDERS,
    CHILDREN,
    PLANS,
    REFERRALS,
    CHECKS,
    MEETINGS,
    VISITS,
    INTERVIEWS,
)
BY_SLUG: dict[str, Part] = {part.slug: part for part in PARTS}
