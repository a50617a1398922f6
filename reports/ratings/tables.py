"""Tables that compare organisations: key-question results and the profile of the cases read.

A thematic inspection publishes no ratings but the same counts, side by side for every area
visited ("15 out of 39 cases"; seed 000), and a profile of the cases read (gender, ethnicity,
order, category of harm, main source of risk; seed 003 Appendix 4). Everything is counted in
the database with ``values().annotate(Count(...))``, so building the tables takes the same
number of queries for 5 cases or 5,000. Only counted cases (submitted, in quality assurance
or agreed) are included, as in the ratings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef

from casefiles.choices import Ethnicity, Gender, OrderType, PlanCategory, RiskSource
from casefiles.models import Case, ChildProtectionPlan, Order
from inspection.models import Framework, Inspection, Organisation, Question, Standard
from inspection.rating_rules import Tally, whole_percent
from reports.ratings.tallies import answer_tallies

NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Share:
    """A count of cases out of the cases read in one organisation (or all of them)."""

    count: int
    base: int

    @property
    def percent(self) -> int | None:
        return whole_percent(self.count, self.base)

    @property
    def display(self) -> str:
        """ "31 (57%)", or "0" when there were no cases to count."""
        if not self.base:
            return "0"
        return f"{self.count} ({self.percent}%)"

    def __str__(self) -> str:
        return self.display


# --------------------------------------------------------------------------- key questions


@dataclass(frozen=True)
class KeyQuestionRow:
    code: str
    text: str
    overall: Tally
    by_organisation: tuple[Tally, ...]  # in the order of ThematicTables.organisations
    is_prompt: bool = False  # a prompt under the key question above it (seed 003 Tables 3-5)


@dataclass(frozen=True)
class StandardTable:
    code: str
    title: str
    rows: tuple[KeyQuestionRow, ...]


# --------------------------------------------------------------------------- case profile


@dataclass(frozen=True)
class ProfileRow:
    label: str
    by_organisation: tuple[Share, ...]
    overall: Share


@dataclass(frozen=True)
class ProfileTable:
    slug: str
    title: str
    rows: tuple[ProfileRow, ...]
    note: str = ""


@dataclass(frozen=True)
class ThematicTables:
    organisations: tuple[Organisation, ...]
    cases_read: tuple[int, ...]  # counted cases per organisation, same order
    standards: tuple[StandardTable, ...]
    profiles: tuple[ProfileTable, ...]

    @property
    def total_cases_read(self) -> int:
        return sum(self.cases_read)

    @property
    def organisations_with_cases_read(self) -> tuple[tuple[Organisation, int], ...]:
        return tuple(zip(self.organisations, self.cases_read, strict=True))

    @property
    def several_organisations(self) -> bool:
        return len(self.organisations) > 1


def counted_cases(inspection: Inspection):
    return Case.objects.counted().filter(inspection=inspection)


def key_question_tables(
    inspection: Inspection, organisations: tuple[Organisation, ...]
) -> tuple[StandardTable, ...]:
    """Every case-judged key question's tally, and each prompt's under it, overall and per
    organisation (two queries)."""
    questions = list(
        Question.objects.filter(
            framework=inspection.framework_id,
            standard__judged_by=Framework.JudgedBy.CASES,
        )
        .select_related("standard")
        .order_by("standard__position", "position")
    )
    tallies = answer_tallies(
        by=("question", "organisation"),
        inspections=inspection,
        questions=[q.pk for q in questions],
    )

    def tally(question: Question, organisation: Organisation) -> Tally:
        return tallies.get((question.pk, organisation.pk), Tally())

    # Each key question, then its prompts, in framework order.
    prompts: dict[int, list[Question]] = defaultdict(list)
    for question in questions:
        if question.parent_id is not None:
            prompts[question.parent_id].append(question)
    ordered = [q for kq in questions if kq.parent_id is None for q in [kq, *prompts.get(kq.pk, [])]]

    tables: dict[int, tuple[Standard, list[KeyQuestionRow]]] = {}
    for question in ordered:
        per_org = tuple(tally(question, org) for org in organisations)
        row = KeyQuestionRow(
            code=question.code,
            text=question.text,
            overall=sum(per_org, Tally()),
            by_organisation=per_org,
            is_prompt=question.parent_id is not None,
        )
        tables.setdefault(question.standard_id, (question.standard, []))[1].append(row)
    return tuple(
        StandardTable(code=standard.code, title=standard.title, rows=tuple(rows))
        for standard, rows in tables.values()
    )


def _profile(
    slug: str,
    title: str,
    counts: Mapping[tuple[int, str], int],
    labels: Iterable[tuple[str, str]],
    organisations: tuple[Organisation, ...],
    bases: tuple[int, ...],
    *,
    note: str = "",
) -> ProfileTable:
    """One profile table: a row per category any organisation has, in the vocabulary's order."""
    total = sum(bases)
    rows = []
    for value, label in labels:
        per_org = tuple(
            Share(counts.get((org.pk, value), 0), base)
            for org, base in zip(organisations, bases, strict=True)
        )
        overall = sum(share.count for share in per_org)
        if overall:
            rows.append(
                ProfileRow(label=label, by_organisation=per_org, overall=Share(overall, total))
            )
    return ProfileTable(slug=slug, title=title, rows=tuple(rows), note=note)


def _grouped(
    queryset, organisation_field: str, value_field: str, count
) -> dict[tuple[int, str], int]:
    return {
        (row[organisation_field], row[value_field]): row["n"]
        for row in queryset.values(organisation_field, value_field).annotate(n=count).order_by()
    }


def case_profile_tables(
    inspection: Inspection, organisations: tuple[Organisation, ...]
) -> tuple[tuple[int, ...], tuple[ProfileTable, ...]]:
    """Cases read per organisation and the profile tables of seed 003 Appendix 4 (six queries).

    A case may hold more than one order or child protection plan, so those two tables count
    cases having each kind and may add up to more than the cases read.
    """
    cases = counted_cases(inspection)
    totals = (
        cases.annotate(
            has_order=Exists(Order.objects.filter(case=OuterRef("pk"))),
            has_plan=Exists(ChildProtectionPlan.objects.filter(case=OuterRef("pk"))),
        )
        .values("organisation_id", "has_order", "has_plan")
        .annotate(n=Count("id"))
        .order_by()
    )
    read: dict[int, int] = defaultdict(int)
    no_order: dict[tuple[int, str], int] = defaultdict(int)
    no_plan: dict[tuple[int, str], int] = defaultdict(int)
    for row in totals:
        org = row["organisation_id"]
        read[org] += row["n"]
        if not row["has_order"]:
            no_order[org, NOT_RECORDED] += row["n"]
        if not row["has_plan"]:
            no_plan[org, NOT_RECORDED] += row["n"]
    bases = tuple(read.get(org.pk, 0) for org in organisations)

    gender = _grouped(cases, "organisation_id", "gender", Count("id"))
    ethnicity = _grouped(cases, "organisation_id", "ethnicity", Count("id"))
    risk = _grouped(cases, "organisation_id", "main_source_of_risk", Count("id"))
    orders = _grouped(
        Order.objects.filter(case__in=cases),
        "case__organisation_id",
        "order_type",
        Count("case_id", distinct=True),
    )
    plans = _grouped(
        ChildProtectionPlan.objects.filter(case__in=cases),
        "case__organisation_id",
        "category",
        Count("case_id", distinct=True),
    )

    profiles = (
        _profile("gender", "Gender", gender, Gender.choices, organisations, bases),
        _profile("ethnicity", "Ethnicity", ethnicity, Ethnicity.choices, organisations, bases),
        _profile(
            "order-type",
            "Order or disposal",
            {**orders, **no_order},
            [*OrderType.choices, (NOT_RECORDED, "No order recorded")],
            organisations,
            bases,
            note="A case with more than one order is counted once for each kind of order.",
        ),
        _profile(
            "plan-category",
            "Child protection plan, category of harm",
            {**plans, **no_plan},
            [*PlanCategory.choices, (NOT_RECORDED, "No child protection plan recorded")],
            organisations,
            bases,
            note="A case with plans in more than one category is counted once for each category.",
        ),
        _profile(
            "risk-source",
            "Main source of risk of harm to the child",
            risk,
            RiskSource.choices,
            organisations,
            bases,
        ),
    )
    return bases, profiles


def thematic_tables(inspection: Inspection) -> ThematicTables:
    """Key questions and case profile across the inspection's organisations (nine queries)."""
    organisations = tuple(inspection.organisations.order_by("name"))
    bases, profiles = case_profile_tables(inspection, organisations)
    return ThematicTables(
        organisations=organisations,
        cases_read=bases,
        standards=key_question_tables(inspection, organisations),
        profiles=profiles,
    )
