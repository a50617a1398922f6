"""Automatic allocation (the rule and the proposal page) and assigning selected cases at once."""

import re
from collections import Counter
from html import unescape

import pytest
from django.urls import reverse

from casefiles.models import Case
from inspection.models import Membership, Organisation
from judgements.allocation import CaseFacts, Person, allocation_proposal, partner_kinds, propose
from judgements.models import AuditEvent
from tests.conftest import make_case

# The rule, in plain Python --------------------------------------------------------------

YOUTH = frozenset(Organisation.YOUTH_KINDS)


def _cases(sizes: dict[str, int], kind: str = "yos") -> list[CaseFacts]:
    cases, number = [], 0
    for stratum, size in sizes.items():
        for _ in range(size):
            cases.append(CaseFacts(f"c{number}", f"R{number:03d}", stratum, kind, None))
            number += 1
    return cases


def _people(count: int) -> list[Person]:
    return [Person(f"p{i}", f"Person {i}", None) for i in range(count)]


def test_each_group_and_each_workload_is_spread_evenly():
    people = _people(3)
    cases = _cases({"male|high": 4, "female|low": 4, "male|low": 1})
    proposal = propose(cases, people)
    assert Counter(proposal.values()) == {"p0": 3, "p1": 3, "p2": 3}
    for stratum in ("male|high", "female|low"):
        taken = Counter(proposal[c.key] for c in cases if c.stratum == stratum)
        assert max(taken.values()) - min(taken.get(p.key, 0) for p in people) <= 1, stratum


@pytest.mark.parametrize("seed", range(40))
def test_groups_and_workloads_never_differ_by_more_than_one(seed):
    import random

    rng = random.Random(seed)
    people = _people(rng.randint(2, 6))
    cases = _cases({f"s{i}": rng.randint(1, 12) for i in range(rng.randint(1, 6))})
    proposal = propose(cases, people)
    totals = Counter(proposal.values())
    assert max(totals.values()) - min(totals.get(p.key, 0) for p in people) <= 1
    for stratum in {c.stratum for c in cases}:
        taken = Counter(proposal[c.key] for c in cases if c.stratum == stratum)
        assert max(taken.values()) - min(taken.get(p.key, 0) for p in people) <= 1


def test_cases_already_assigned_count_toward_the_workload_and_keep_their_person():
    people = _people(3)
    busy = [CaseFacts(f"old{i}", f"A{i}", "s", "yos", "p0") for i in range(3)]
    new = _cases({"s": 6})
    proposal = propose([*busy, *new], people)
    assert set(proposal) == {c.key for c in new}  # the assigned ones are not proposed again
    assert Counter(proposal.values()) == {"p1": 3, "p2": 3}


def test_partners_only_get_cases_of_their_kind_and_nobody_is_left_with_what_they_cannot_take():
    inspector = Person("insp", "Inspector", None)
    partner = Person("part", "Partner", YOUTH)
    cases = [
        *_cases({"a": 4}, kind="pdu"),
        *[CaseFacts(f"y{i}", f"Y{i}", "b", "yos", None) for i in range(4)],
    ]
    proposal = propose(cases, [inspector, partner])
    assert all(proposal[c.key] == "insp" for c in cases if c.organisation_kind == "pdu")
    assert Counter(proposal.values()) == {"insp": 4 + 0, "part": 4}
    only_partner = propose(_cases({"a": 2}, kind="pdu"), [partner])
    assert set(only_partner.values()) == {None}


# The proposal and the pages ---------------------------------------------------------------


def _text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _selected(response) -> dict[str, str]:
    """Each case's select on the proposal page: the case reference -> the chosen username."""
    page = response.content.decode()
    chosen = {}
    for case in Case.objects.all():
        select = re.search(
            rf'<select[^>]*name="inspector-{case.public_id}"[^>]*>(.*?)</select>', page, re.S
        )
        if select:
            option = re.search(r'<option value="([^"]*)" selected>', select.group(1))
            chosen[case.reference] = option.group(1) if option else ""
    return chosen


@pytest.fixture
def team_cases(inspection, people):
    """Five unassigned cases in two groups, and one the colleague already has."""
    cases = [
        make_case(inspection, reference=f"C-{i}", gender="male" if i < 3 else "female")
        for i in range(5)
    ]
    make_case(inspection, reference="OLD", inspector=people.colleague)
    return cases


def test_the_lead_reviews_the_proposal_changes_a_line_and_confirms(
    login, people, inspection, team_cases
):
    lead = login(people.lead)
    address = reverse("judgements:allocate", args=[inspection.reference])
    page = lead.get(address)
    assert page.status_code == 200
    proposed = _selected(page)
    assert set(proposed) == {f"C-{i}" for i in range(5)}
    # The lead is not given cases automatically; the colleague, who has one, gets fewer.
    counts = Counter(proposed.values())
    assert "lead" not in counts
    # The colleague, who has one, gets one: everyone then has two.
    assert counts == {"colleague": 1, "inspector": 2, "partner": 2}
    assert "Colleague Tester 1 2" in _text(page)  # cases now, and with the proposal
    assert AuditEvent.objects.count() == 0  # a proposal saves nothing

    choice = {f"inspector-{c.public_id}": proposed[c.reference] for c in team_cases}
    choice[f"inspector-{team_cases[0].public_id}"] = "lead"  # the lead takes one by hand
    response = lead.post(address, choice)
    assert response.status_code == 302
    assigned = dict(Case.objects.values_list("reference", "inspector__username"))
    assert assigned["C-0"] == "lead"
    for case in team_cases[1:]:
        assert assigned[case.reference] == proposed[case.reference]
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED)
    assert events.count() == 5
    assert {e.actor for e in events} == {people.lead}
    assert set(events.values_list("old_value", flat=True)) == {"Not assigned"}


def test_a_proposal_for_cases_assigned_since_saves_nothing(login, people, inspection, team_cases):
    lead = login(people.lead)
    address = reverse("judgements:allocate", args=[inspection.reference])
    proposed = _selected(lead.get(address))
    # Meanwhile someone gives C-0 to the inspector.
    Case.objects.filter(reference="C-0").update(inspector=people.inspector)
    response = lead.post(
        address, {f"inspector-{c.public_id}": proposed[c.reference] for c in team_cases}
    )
    assert response.status_code == 200
    assert "assigned by someone else since you opened it" in _text(response)
    assert not AuditEvent.objects.exists()
    assert Case.objects.filter(inspector__isnull=True).count() == 4


def test_a_person_not_offered_for_a_case_is_refused(login, people, inspection, team_cases):
    lead = login(people.lead)
    address = reverse("judgements:allocate", args=[inspection.reference])
    response = lead.post(address, {f"inspector-{team_cases[0].public_id}": "qa"})
    assert response.status_code == 200
    assert "Select someone on the team who may take case C-0" in _text(response)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["inspector", "colleague", "qa", "partner", "manager"])
def test_only_the_lead_allocates(login, people, inspection, team_cases, who):
    client = login(getattr(people, who))
    address = reverse("judgements:allocate", args=[inspection.reference])
    assert client.get(address).status_code == 403
    response = client.post(address, {f"inspector-{team_cases[0].public_id}": "inspector"})
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


def test_partners_are_offered_only_youth_cases(people, inspection, area, team_cases):
    probation = Organisation.objects.create(
        slug="bd-pdu", name="Barking PDU", kind="pdu", area=area
    )
    inspection.organisations.add(probation)
    adult = make_case(inspection, reference="ADULT", organisation=probation, subject_kind="adult")
    proposal = allocation_proposal(inspection)
    line = next(line for line in proposal.lines if line.case == adult)
    assert "partner" not in {p.key for p in line.choices}
    assert line.proposed != "partner"
    assert partner_kinds(inspection.framework) <= Organisation.YOUTH_KINDS


def test_the_proposal_costs_the_same_queries_however_many_cases(
    django_assert_num_queries, people, inspection
):
    for count in (3, 30):
        Case.objects.all().delete()
        for i in range(count):
            make_case(inspection, reference=f"Q-{i}")
        # The team; the framework's question kinds (a partner is on it); the cases.
        with django_assert_num_queries(3):
            allocation_proposal(inspection)


# Assigning the selected cases ---------------------------------------------------------------


def _assign_page(inspection) -> str:
    return reverse("judgements:assign", args=[inspection.reference])


def test_the_lead_assigns_the_selected_cases_at_once(login, people, inspection, team_cases):
    lead = login(people.lead)
    chosen = team_cases[:3]
    response = lead.post(
        _assign_page(inspection),
        {
            "bulk-assign": "1",
            "bulk-inspector": "colleague",
            "selected": [str(c.public_id) for c in chosen],
            **{f"seen-{c.public_id}": "" for c in chosen},
        },
    )
    assert response.status_code == 302
    assert set(
        Case.objects.filter(inspector=people.colleague).values_list("reference", flat=True)
    ) == {"OLD", "C-0", "C-1", "C-2"}
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED)
    assert sorted(e.case.reference for e in events) == ["C-0", "C-1", "C-2"]
    assert {(e.old_value, e.new_value) for e in events} == {("Not assigned", "Colleague Tester")}


def test_assigning_nothing_or_to_nobody_chosen_is_explained(login, people, inspection, team_cases):
    lead = login(people.lead)
    response = lead.post(_assign_page(inspection), {"bulk-assign": "1", "bulk-inspector": ""})
    words = _text(response)
    assert "Select the cases to assign" in words
    assert "Select who to assign the selected cases to" in words
    assert not AuditEvent.objects.exists()


def test_assigning_cases_someone_else_changed_saves_nothing(login, people, inspection, team_cases):
    lead = login(people.lead)
    Case.objects.filter(reference="C-1").update(inspector=people.inspector)
    response = lead.post(
        _assign_page(inspection),
        {
            "bulk-assign": "1",
            "bulk-inspector": "colleague",
            "selected": [str(team_cases[0].public_id), str(team_cases[1].public_id)],
            f"seen-{team_cases[0].public_id}": "",
            f"seen-{team_cases[1].public_id}": "",
        },
    )
    assert response.status_code == 409
    assert "Someone else changed who scores these cases since you opened the page: C-1" in _text(
        response
    )
    assert not AuditEvent.objects.exists()
    assert Case.objects.get(reference="C-0").inspector is None


def test_a_partner_is_not_given_a_case_of_another_kind(login, people, inspection, area):
    probation = Organisation.objects.create(
        slug="bd-pdu", name="Barking PDU", kind="pdu", area=area
    )
    inspection.organisations.add(probation)
    adult = make_case(inspection, reference="ADULT", organisation=probation, subject_kind="adult")
    response = login(people.lead).post(
        _assign_page(inspection),
        {
            "bulk-assign": "1",
            "bulk-inspector": "partner",
            "selected": [str(adult.public_id)],
            f"seen-{adult.public_id}": "",
        },
    )
    assert response.status_code == 200
    assert "partner inspectors do not score" in _text(response)
    adult.refresh_from_db()
    assert adult.inspector is None
    assert Membership.objects.get(user=people.partner).role == "partner"


@pytest.mark.parametrize("who", ["inspector", "qa", "partner", "manager"])
def test_only_the_lead_assigns_selected_cases(login, people, inspection, team_cases, who):
    response = login(getattr(people, who)).post(
        _assign_page(inspection),
        {
            "bulk-assign": "1",
            "bulk-inspector": "inspector",
            "selected": [str(team_cases[0].public_id)],
        },
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.exists()


def test_saving_the_lines_with_a_partner_on_an_adults_case_saves_nothing(
    login, people, inspection, area, team_cases
):
    probation = Organisation.objects.create(
        slug="bd-pdu", name="Barking PDU", kind="pdu", area=area
    )
    inspection.organisations.add(probation)
    # After C-0 in the list: C-0 is saved first, then rolled back with the refusal.
    adult = make_case(inspection, reference="Z-ADULT", organisation=probation, subject_kind="adult")
    response = login(people.lead).post(
        _assign_page(inspection),
        {
            "save-assignments": "1",
            f"inspector-{team_cases[0].public_id}": "inspector",
            f"inspector-{adult.public_id}": "partner",
        },
    )
    assert response.status_code == 200
    assert "partner inspectors do not score" in _text(response)
    assert not AuditEvent.objects.exists()
    assert Case.objects.get(pk=team_cases[0].pk).inspector is None


def test_the_proposal_page_costs_the_same_queries_however_many_cases(login, people, inspection):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lead = login(people.lead)
    address = reverse("judgements:allocate", args=[inspection.reference])
    queries = []
    for count in (3, 30):
        Case.objects.all().delete()
        for i in range(count):
            make_case(inspection, reference=f"Q-{i}")
        with CaptureQueriesContext(connection) as captured:
            assert lead.get(address).status_code == 200
        queries.append(len(captured))
    small, large = queries
    assert small == large
