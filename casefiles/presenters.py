"""What the case page shows of each part of a case file, built from prefetched rows."""

from dataclasses import dataclass, field

from .models import Case


def yes_no(value) -> str:
    if value is None:
        return "Not known"
    return "Yes" if value else "No"


def with_article(noun: str) -> str:
    """'an order', 'a referral'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def day(value) -> str:
    return value.strftime("%-d %b %Y") if value else ""


@dataclass
class Section:
    key: str
    title: str
    noun: str
    headings: list[str]
    rows: list[dict] = field(default_factory=list)
    editable: bool = False
    withheld: str = ""  # why the rows are not shown, when they are withheld

    @property
    def add_label(self) -> str:
        return f"Add {with_article(self.noun)}"


# Shown in place of a name, a date of birth or an address to someone who may not see them
# (inspection.permissions.may_see_personal_data).
WITHHELD = "Withheld (not on this inspection's team)"


def case_summary(case: Case, *, personal: bool = True) -> list[tuple[str, str]]:
    kind = case.get_subject_kind_display().lower()
    return [
        ("Sample", case.get_sample_type_display()),
        ("Organisation", case.organisation.name),
        ("Person supervised", f"{case.subject_name} ({kind})" if personal else f"{WITHHELD}"),
        ("Gender", case.get_gender_display()),
        ("Ethnicity", case.get_ethnicity_display()),
        # Empty for a case the sample draw created, until the lead records it.
        (
            "Date of birth",
            (day(case.date_of_birth) or "Not yet recorded") if personal else WITHHELD,
        ),
        ("Risk of serious harm", case.get_risk_of_serious_harm_display()),
        ("Safety and wellbeing", case.get_safety_and_wellbeing_display()),
        ("MAPPA", case.get_mappa_level_display()),
        ("Main source of risk", case.get_main_source_of_risk_display()),
        ("Case manager", case.case_manager if personal else WITHHELD),
        ("Inspector", str(case.inspector) if case.inspector else "Not assigned"),
    ]


def _row(part, *cells) -> dict:
    return {"public_id": part.public_id, "cells": [str(c) if c is not None else "" for c in cells]}


def file_sections(
    case: Case, *, editable: bool, only: set[str] | None = None, personal: bool = True
) -> list[Section]:
    """The parts of the case file as tables; `only` picks the parts a step needs.

    Without ``personal``, the linked children are withheld altogether (who they are is
    the point of that table) and a plan names no child.
    """
    sections = [
        Section(
            "orders",
            "Orders",
            "order",
            ["Order", "Start", "End", "Requirements"],
            [
                _row(
                    o,
                    o.get_order_type_display(),
                    day(o.start_date),
                    day(o.end_date),
                    ", ".join(str(r) for r in o.requirements.all()),
                )
                for o in case.orders.all()
            ],
        ),
        Section(
            "children",
            "Linked children",
            "linked child",
            ["Name", "Date of birth", "Relationship", "Lives with", "Person supervised is"],
            [
                _row(
                    c,
                    c.name,
                    day(c.date_of_birth),
                    c.get_relationship_display(),
                    yes_no(c.lives_with_subject),
                    c.get_offender_role_display(),
                )
                for c in case.children.all()
            ],
        ),
        Section(
            "plans",
            "Child protection plans",
            "child protection plan",
            ["For", "Category", "Start", "End", "Conference", "Core group"],
            [
                _row(
                    p,
                    (p.child.name if personal else "A linked child")
                    if p.child
                    else "Child supervised",
                    p.get_category_display(),
                    day(p.start_date),
                    day(p.end_date),
                    day(p.initial_conference_date),
                    yes_no(p.core_group_established),
                )
                for p in case.plans.all()
            ],
        ),
        Section(
            "referrals",
            "Referrals to children's social care",
            "referral",
            [
                "Date",
                "Method",
                "Details, risk and response asked",
                "Response",
                "Timely",
                "Satisfactory",
                "Followed up",
                "Escalated",
            ],
            [
                _row(
                    r,
                    day(r.referral_date),
                    r.get_method_display(),
                    f"{yes_no(r.included_child_details)}, {yes_no(r.described_risk)}, "
                    f"{yes_no(r.stated_response_wanted)}",
                    day(r.response_date) or "None recorded",
                    yes_no(r.response_timely),
                    yes_no(r.response_satisfactory),
                    yes_no(r.followed_up),
                    yes_no(r.escalated),
                )
                for r in case.referrals.all()
            ],
        ),
        Section(
            "checks",
            "Checks and notifications",
            "check or notification",
            ["Agency", "Kind", "Made", "Response", "Outcome"],
            [
                _row(
                    c,
                    c.get_agency_display(),
                    c.get_kind_display(),
                    day(c.requested_date),
                    day(c.response_date),
                    c.outcome,
                )
                for c in case.checks.all()
            ],
        ),
        Section(
            "meetings",
            "Multi-agency meetings",
            "meeting",
            ["Meeting", "Date", "Invited", "Invitation timely", "Attended", "Report"],
            [
                _row(
                    m,
                    m.get_kind_display(),
                    day(m.meeting_date),
                    yes_no(m.invited),
                    yes_no(m.invitation_timely),
                    yes_no(m.attended),
                    yes_no(m.report_submitted),
                )
                for m in case.meetings.all()
            ],
        ),
        Section(
            "visits",
            "Home visits",
            "home visit",
            ["Date", "Announced", "Children seen", "Purpose"],
            [
                _row(v, day(v.visit_date), yes_no(v.announced), yes_no(v.children_seen), v.purpose)
                for v in case.visits.all()
            ],
        ),
    ]
    for section in sections:
        section.editable = editable
        if section.key == "children" and not personal:
            section.withheld = (
                f"{len(section.rows)} linked "
                f"{'child' if len(section.rows) == 1 else 'children'}: {WITHHELD.lower()}."
            )
            section.rows = []
            section.editable = False
    if only is not None:
        sections = [s for s in sections if s.key in only]
    return sections
