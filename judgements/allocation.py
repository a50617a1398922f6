"""Automatic allocation of an inspection's cases to its team: the rule, and what it reads.

The rule (``propose``) is plain Python. Each case not yet assigned goes, group by group
(the sample's strata, largest first; cases by reference within a group), to the person
who may take it and has the fewest cases overall, existing assignments included; among
those, to whoever has the fewest cases of the case's group, then by name. So workloads
even out first (someone already carrying cases gets fewer new ones), and each person's
cases are a mix of the groups rather than a run of one.

Who may take a case automatically:

- inspectors on the team, any case;
- partner inspectors (from another inspectorate) only cases of the organisation kinds
  their work concerns: the youth justice services (Youth Offending Teams and Services,
  Youth Justice Services), since partner inspectorates join the joint inspections of
  youth justice work, and of those only the kinds the framework's questions apply to
  (a question's ``organisation_kinds``; a question with none applies to every kind);
- not the lead, who can still take cases by hand in the proposal or on the assignment page.

The lead reviews and may change every line of the proposal before it is saved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from casefiles.models import Case
from inspection.models import Membership, Organisation, Question

Role = Membership.Role

# The organisation kinds whose cases partner inspectors score (see the module's docstring).
PARTNER_ORGANISATION_KINDS = frozenset(Organisation.YOUTH_KINDS)


# ----------------------------------------------------------------------------- the rule


@dataclass(frozen=True)
class CaseFacts:
    key: str  # the case's public id, as text
    reference: str
    stratum: str
    organisation_kind: str
    inspector: str | None  # the person's key, or None when not assigned


@dataclass(frozen=True)
class Person:
    key: str  # the username
    name: str
    kinds: frozenset[str] | None  # organisation kinds they may take; None: every kind


def may_take(person: Person, organisation_kind: str) -> bool:
    return person.kinds is None or organisation_kind in person.kinds


def propose(cases: Sequence[CaseFacts], people: Sequence[Person]) -> dict[str, str | None]:
    """For each case not assigned, who should take it (None: nobody on the team may).

    Cases already assigned keep their person and count toward the workloads.
    """
    total: Counter[str] = Counter()
    in_group: Counter[tuple[str, str]] = Counter()
    for case in cases:
        if case.inspector is not None:
            total[case.inspector] += 1
            in_group[(case.inspector, case.stratum)] += 1
    groups: dict[str, list[CaseFacts]] = defaultdict(list)
    for case in cases:
        if case.inspector is None:
            groups[case.stratum].append(case)
    order = sorted(groups, key=lambda stratum: (-len(groups[stratum]), stratum))
    position = {person.key: index for index, person in enumerate(people)}

    proposal: dict[str, str | None] = {}
    for stratum in order:
        for case in sorted(groups[stratum], key=lambda c: c.reference):
            eligible = [p for p in people if may_take(p, case.organisation_kind)]
            if not eligible:
                proposal[case.key] = None
                continue
            chosen = min(
                eligible,
                key=lambda p: (total[p.key], in_group[(p.key, stratum)], position[p.key]),
            )
            proposal[case.key] = chosen.key
            total[chosen.key] += 1
            in_group[(chosen.key, stratum)] += 1
    return proposal


# ----------------------------------------------------------------------- what it reads


def framework_kinds(framework) -> frozenset[str] | None:
    """The organisation kinds the framework's questions apply to; None: every kind."""
    kinds: set[str] = set()
    for listed in Question.objects.filter(framework=framework).values_list(
        "organisation_kinds", flat=True
    ):
        if not listed:
            return None
        kinds.update(listed)
    return frozenset(kinds)


def partner_kinds(framework) -> frozenset[str]:
    """The organisation kinds whose cases a partner inspector may take on this framework."""
    kinds = framework_kinds(framework)
    return PARTNER_ORGANISATION_KINDS if kinds is None else PARTNER_ORGANISATION_KINDS & kinds


def team_people(inspection, memberships: Iterable[Membership]) -> list[Person]:
    """Who automatic allocation spreads cases across: inspectors and partners, by name."""
    partners = None
    people = []
    for membership in memberships:
        if membership.role == Role.INSPECTOR:
            kinds = None
        elif membership.role == Role.PARTNER:
            if partners is None:
                partners = partner_kinds(inspection.framework)
            kinds = partners
        else:
            continue
        people.append(Person(membership.user.username, str(membership.user), kinds))
    return sorted(people, key=lambda p: (p.name.lower(), p.key))


def case_stratum(case: Case) -> str:
    """The group of the sample the case was drawn in; for a case added outside the draw,
    its sample type and the characteristics the draw groups by that the case itself holds."""
    entry = getattr(case, "draw_entry", None)
    if entry is not None:
        return entry.stratum
    return "|".join(
        [case.sample_type, case.gender, "", case.risk_of_serious_harm, case.safety_and_wellbeing]
    )


def case_facts(case: Case) -> CaseFacts:
    return CaseFacts(
        key=str(case.public_id),
        reference=case.reference,
        stratum=case_stratum(case),
        organisation_kind=case.organisation.kind,
        inspector=case.inspector.username if case.inspector_id else None,
    )


@dataclass(frozen=True)
class ProposalLine:
    case: Case
    proposed: str | None  # username
    choices: list[Person]  # who may take the case (for its select), the lead last


@dataclass(frozen=True)
class Proposal:
    lines: list[ProposalLine]
    people: list[Person]
    workload: dict[str, int]  # cases each person has now (before the proposal)
    after: dict[str, int]  # and would have with the proposal

    @property
    def workloads(self) -> list[tuple[Person, int, int]]:
        return [(p, self.workload[p.key], self.after[p.key]) for p in self.people]

    @property
    def unplaced(self) -> list[ProposalLine]:
        return [line for line in self.lines if line.proposed is None]


def allocation_proposal(inspection) -> Proposal:
    """The automatic allocation of the inspection's unassigned cases, for the lead to review.

    Queries: the team; the framework's questions' kinds (only with partners on the team);
    the cases, with their organisations, inspectors and places in the draw.
    """
    memberships = list(
        Membership.objects.filter(inspection=inspection).select_related("user").order_by("pk")
    )
    people = team_people(inspection, memberships)
    lead = next(
        (Person(m.user.username, str(m.user), None) for m in memberships if m.role == Role.LEAD),
        None,
    )
    cases = list(
        Case.objects.filter(inspection=inspection)
        .select_related("organisation", "inspector", "draw_entry")
        .order_by("reference")
    )
    facts = [case_facts(case) for case in cases]
    proposal = propose(facts, people)
    workload = Counter(f.inspector for f in facts if f.inspector is not None)
    after = Counter(workload)
    after.update(person for person in proposal.values() if person is not None)
    lines = [
        ProposalLine(
            case=case,
            proposed=proposal[str(case.public_id)],
            choices=[
                *(p for p in people if may_take(p, case.organisation.kind)),
                *([lead] if lead else []),
            ],
        )
        for case in cases
        if case.inspector_id is None
    ]
    everyone = [*people, *([lead] if lead else [])]
    return Proposal(
        lines=lines,
        people=everyone,
        workload={p.key: workload.get(p.key, 0) for p in everyone},
        after={p.key: after.get(p.key, 0) for p in everyone},
    )
