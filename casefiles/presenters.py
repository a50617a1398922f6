"""What the case page shows of each part of a case file, built from prefetched rows."""

from dataclasses import dataclass, field

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

    @property
    def add_label(self) -> str:
        return f"Add {with_article(self.noun)}"


def case_summary(case: Case) -> list[tuple[str, str]]:
    return [
        ("Sample", case.get_sample_type_display()),
        ("Organisation", case.organisation.name),
        ("Person supervised", f"{case.subject_name} ({case.get_subject_kind_display().lower()})"),
        ("Gender", case.get_gender_display()),
        ("Ethnicity", case.get_ethnicity_display()),
        # Empty for a case the sample draw created, until the lead records it.
        ("Date of birth", day(case.date_of_birth) or "Not yet recorded"),
        ("Risk of serious harm", case.get_risk_of_serious_harm_display()),
        ("Safety and wellbeing", case.get_safety_and_wellbeing_display()),
        ("MAPPA", case.get_mappa_level_display()),
        ("Main source of risk", case.get_main_source_of_risk_display()),
        ("Case manager", case.case_manager),
        ("Inspector", str(case.inspector) if case.inspector else "Not assigned"),
    ]


def _row(part, *cells) -> dict:
    return {"public_id": part.public_id, "cells": [str(c) if c is not None else "" for c in cells]}


def file_sections(case: Case, *, editable: bool, only: set[str] | None = None) -> list[Section]:
    """The parts of the case file as tables (casefiles.parts); `only` picks the parts a step
    needs."""
    return [
        Section(
            part.slug,
            part.title,
            part.noun,
            [column.heading for column in part.columns],
            [_row(item, *(column.cell(item) for column in part.columns)) for item in part.of(case)],
            editable=editable,
        )
        for part in PARTS
        if only is None or part.slug in only
    ]
