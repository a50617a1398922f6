"""What the case page shows of each part of a case file, built from prefetched rows."""

from dataclasses import dataclass, field

from .choices import SubjectKind
from .models import Case
from .parts import PARTS, day, with_article, yes_no

__all__ = ["Section", "case_summary", "day", "file_sections", "with_article", "yes_no"]


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
    sample = case.get_sample_type_display()
    if case.added_outside_draw:
        sample = f"{sample}, added outside the sample draw: {case.added_reason}"
    return [
        ("Sample", sample),
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
        (
            "Safety and wellbeing",
            case.get_safety_and_wellbeing_display()
            or ("Not applicable" if case.subject_kind == SubjectKind.ADULT else ""),
        ),
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
    """The parts of the case file as tables (casefiles.parts); `only` picks the parts a step
    needs.

    Without ``personal``, a part whose rows name people (the linked children) is withheld
    altogether, and a cell that names someone says who they are to the case instead.
    """
    sections = []
    for part in PARTS:
        if only is not None and part.slug not in only:
            continue
        items = part.of(case)
        section = Section(
            part.slug,
            part.title,
            part.noun,
            [column.heading for column in part.columns],
            [
                _row(item, *(column.value(item, personal=personal) for column in part.columns))
                for item in items
            ],
            editable=editable,
        )
        if part.names_people and not personal and items:
            count = len(items)
            section.withheld = (
                f"{count} linked {'child' if count == 1 else 'children'}: {WITHHELD.lower()}."
            )
            section.rows = []
            section.editable = False
        sections.append(section)
    return sections
