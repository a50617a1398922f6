"""Quality assurance that is safe and quick, and a history that can be read.

The QA page: answers by step with key questions first, filters, the case beside them, feedback
with the decision; agreeing is refused while a return is ticked and asks for confirmation;
after a resubmission it shows what was returned and what changed since. The QA list shows every
submitted case; selecting a share never re-picks a case and spreads across inspectors. The
history groups one save into one entry, with filters and pages, and drops nothing of the trail.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from casefiles.models import Case
from judgements import services
from judgements.models import AuditEvent, ModerationDecision
from judgements.rules import applicable_questions
from judgements.services import AnswerInput
from tests.conftest import make_case

Status = Case.Status


@pytest.fixture(autouse=True)
def _fast_and_plain(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(response.content.decode())).split())


def moderate_url(case):
    return reverse("judgements:moderate", args=[case.public_id])


def history_url(case):
    return reverse("judgements:history", args=[case.public_id])


def scored(case, people, *, no=()):
    """The case scored by its inspector (Yes everywhere, No for `no`), selected and submitted."""
    services.qa_select(case=case, selected=True, actor=people.lead)
    services.answers_record(
        case=case,
        answers=[
            AnswerInput(
                question=q,
                value="no" if q.code in no else "yes",
                note=f"Evidence for {q.code}",
            )
            for q in applicable_questions(case)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)
    case.refresh_from_db()
    return case


def question(case, code):
    return next(q for q in applicable_questions(case) if q.code == code)


# Agreeing is safe -----------------------------------------------------------------------------


def test_agree_is_refused_while_a_return_is_ticked_and_nothing_changes(login, case, people):
    case = scored(case, people)
    kq = question(case, "2.1.1")
    client = login(people.qa)
    for decision in ("agree", "agree-confirmed"):
        response = client.post(
            moderate_url(case),
            {"decision": decision, f"q{kq.pk}-return": "on", f"q{kq.pk}-reason": "Name the tool"},
        )
        assert response.status_code == 200
        page = text(response)
        assert page.startswith("Error:") or "Error: Quality assurance" in page
        assert "You cannot agree the case while questions are ticked to return (2.1.1)" in page
        # The reason typed is still there, not thrown away.
        assert "Name the tool" in page
    case.refresh_from_db()
    assert case.status == Status.IN_QA
    assert not ModerationDecision.objects.filter(case=case).exists()


def test_agreeing_asks_for_confirmation_and_keeps_the_feedback(login, case, people):
    case = scored(case, people)
    client = login(people.qa)
    response = client.post(moderate_url(case), {"decision": "agree", "feedback": "Clear notes"})
    assert response.status_code == 200
    page = text(response)
    assert "Agree and lock case C-001?" in page and "Clear notes" in page
    case.refresh_from_db()
    assert case.status == Status.IN_QA

    response = client.post(
        moderate_url(case), {"decision": "agree-confirmed", "feedback": "Clear notes"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.AGREED
    decision = ModerationDecision.objects.get(case=case)
    assert (decision.decision, decision.reason) == ("agreed", "Clear notes")
    audit = AuditEvent.objects.get(case=case, subject="Quality assurance")
    assert audit.new_value == "Agreed\nClear notes"


def test_a_return_keeps_the_overall_feedback_in_the_decision_and_the_trail(case, people):
    case = scored(case, people)
    kq = question(case, "2.1.1")
    services.case_return(
        case=case,
        moderator=people.qa,
        reasons={kq: "Name the tool"},
        feedback="Notes need dates throughout",
    )
    decision = ModerationDecision.objects.get(case=case)
    assert decision.reason == "Notes need dates throughout"
    assert AuditEvent.objects.filter(
        case=case, subject="Overall feedback", new_value="Notes need dates throughout"
    ).exists()


# The page: grouped, filtered, with the case beside it ------------------------------------------


def test_answers_are_grouped_by_step_with_key_questions_first(login, case, people):
    case = scored(case, people)
    page = text(login(people.qa).get(moderate_url(case)))
    steps = [s for s in ("2.1 Assessment", "2.2 Planning") if s in page]
    assert steps == ["2.1 Assessment", "2.2 Planning"]
    assert page.index("2.1 Assessment") < page.index("2.2 Planning")
    within = page[page.index("2.2 Planning") :]
    key_codes = [q.code for q in applicable_questions(case) if q.standard.code == "2.2"]
    first_key = min(within.index(f"{c} (key question)") for c in key_codes if c.count(".") == 2)
    prompt = next(c for c in key_codes if c.count(".") == 3)
    assert first_key < within.index(f"{prompt} ")
    # The case facts sit alongside.
    assert "Risk of serious harm" in page and "Safety and wellbeing" in page


def test_filters_show_only_no_only_key_questions_only_returned_before(login, case, people):
    case = scored(case, people, no={"2.1.1"})
    client = login(people.qa)
    page = text(client.get(moderate_url(case) + "?show=no"))
    assert "Evidence for 2.1.1" in page and "Evidence for 2.1.2" not in page
    assert "Remove filter: Only answers of No" in page

    page = text(client.get(moderate_url(case) + "?show=key"))
    assert "Evidence for 2.2.1 " in page and "Evidence for 2.2.1.a" not in page

    page = text(client.get(moderate_url(case) + "?show=returned"))
    assert "No answers match these filters." in page


def test_after_a_resubmission_the_page_shows_the_returns_and_what_changed(login, case, people):
    case = scored(case, people)
    kq, other = question(case, "2.1.1"), question(case, "2.1.2")
    services.case_return(
        case=case, moderator=people.qa, reasons={kq: "Name the tool", other: "Say when"}
    )
    services.answers_record(
        case=case,
        answers=[AnswerInput(question=kq, value="no", note="No tool was used")],
        actor=people.inspector,
    )
    services.case_submit(case=case, actor=people.inspector)
    client = login(people.qa)
    page = text(client.get(moderate_url(case)))
    assert "Resubmitted after a return." in page
    assert "returned 2 questions" in page and "1 answer changed since" in page
    card = page[page.index("2.1.1 (key question)") : page.index("Reason for returning 2.1.1")]
    assert "Changed since return" in card
    assert "Returned because Name the tool" in card
    assert "Answer before Yes , now No" in card
    assert "Note before Evidence for 2.1.1" in card
    assert "Evidence for 2.1.1 No tool was used" in card
    card = page[page.index("2.1.2 (key question)") : page.index("Reason for returning 2.1.2")]
    assert "Returned, not changed" in card and "Answer before" not in card
    # Only the returned ones, on request.
    page = text(client.get(moderate_url(case) + "?show=returned"))
    codes = set(re.findall(r"Reason for returning (\S+)", page))
    assert codes == {"2.1.1", "2.1.2"}


def test_the_qa_page_runs_a_fixed_number_of_queries(
    login, case, people, inspection, django_assert_num_queries
):
    case = scored(case, people)
    kq = question(case, "2.1.1")
    services.case_return(case=case, moderator=people.qa, reasons={kq: "Name the tool"})
    services.case_submit(case=case, actor=people.inspector)
    client = login(people.qa)
    client.get(moderate_url(case))
    # 1-2 the session and the user (with whether a safeguarding concern waits for them: none
    # does, so the banner reads nothing); 3 the case with its inspection and organisation;
    # 4 the role on the team; 5 whether this person scored the case; 6 whether this read is
    # already recorded (it is: the page was opened a moment ago, so no second record; the
    # test's transaction is never committed, so the cache does not know it); 7 the answers
    # (the framework's questions are kept from the first visit); 8 the open returns; 9-11 the
    # decisions, their returned questions and those questions; 12 the answer changes since
    # the last return. The session is not written. None grows with the case.
    with django_assert_num_queries(12):
        assert client.get(moderate_url(case)).status_code == 200


# The list and the share --------------------------------------------------------------------


def test_the_qa_list_shows_every_submitted_case_with_its_state(login, inspection, people):
    selected = scored(make_case(inspection, reference="C-001", inspector=people.inspector), people)
    plain = make_case(inspection, reference="C-002", inspector=people.inspector)
    services.answers_record(
        case=plain,
        answers=[
            AnswerInput(question=q, value="yes", note="Seen") for q in applicable_questions(plain)
        ],
        actor=people.inspector,
    )
    services.case_submit(case=plain, actor=people.inspector)
    make_case(inspection, reference="C-003")  # not started, not selected: not listed
    page = text(login(people.qa).get(reverse("judgements:qa_list", args=[inspection.reference])))
    assert f"{selected.reference} Inspector Tester In quality assurance Waiting for quality" in page
    assert "C-002 Inspector Tester Submitted Not selected" in page
    assert "C-003" not in page


def test_select_a_share_never_repicks_spreads_and_counts_exactly(login, inspection, people):
    for n in range(6):
        make_case(inspection, reference=f"A-{n}", inspector=people.inspector)
        make_case(inspection, reference=f"B-{n}", inspector=people.colleague)
    client = login(people.lead)
    url = reverse("judgements:assign", args=[inspection.reference])

    response = client.post(url, {"select-share": "1", "percent": "25", "seed": "7"}, follow=True)
    assert "3 cases newly selected for quality assurance (3 selected in all)" in text(response)
    first = set(Case.objects.filter(selected_for_qa=True).values_list("reference", flat=True))
    assert len(first) == 3
    # Spread: each inspector's work is picked.
    assert {r[0] for r in first} == {"A", "B"}

    response = client.post(url, {"select-share": "1", "percent": "50", "seed": "7"}, follow=True)
    assert "3 cases newly selected for quality assurance (6 selected in all)" in text(response)
    second = set(Case.objects.filter(selected_for_qa=True).values_list("reference", flat=True))
    assert first < second and len(second) == 6
    assert sum(r.startswith("A") for r in second) == 3

    response = client.post(url, {"select-share": "1", "percent": "50", "seed": "9"}, follow=True)
    assert "No cases newly selected: 6 already selected, which meets a share of 6" in text(response)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.QA_SELECTED).count() == 6


# History ----------------------------------------------------------------------------------------


def test_one_save_is_one_history_entry_and_nothing_of_the_trail_is_lost(login, case, people):
    kq = question(case, "2.1.1")
    services.answers_record(
        case=case,
        answers=[AnswerInput(question=kq, value="no", note="First look")],
        actor=people.inspector,
    )
    services.answers_record(
        case=case,
        answers=[AnswerInput(question=kq, value="yes", note="Second look")],
        actor=people.inspector,
    )
    page = text(login(people.lead).get(history_url(case)))
    # The second save changed the answer and its note together: one entry, both lines.
    entry = page[page.index("Answer to 2.1.1") :]
    entry = entry[: entry.index("Answer to 2.1.1", 5)]
    assert "2.1.1 answer Before: No After: Yes" in entry
    assert "2.1.1 evidence note Before: First look After: Second look" in entry
    # Three entries: the first answer (and the status it started), and the change.
    assert "3 entries" in page
    for event in AuditEvent.objects.filter(case=case):
        assert event.new_value.split("\n")[-1] in page


def test_history_filters_by_kind_with_removable_tags(login, case, people):
    kq = question(case, "2.1.1")
    services.answers_record(
        case=case,
        answers=[AnswerInput(question=kq, value="no", note="First look")],
        actor=people.inspector,
    )
    client = login(people.lead)
    page = text(client.get(history_url(case) + "?show=status"))
    assert "Status changed: Case status" in page and "Answer to 2.1.1" not in page
    assert "Remove filter: Status and assignment" in page
    page = text(client.get(history_url(case) + "?show=answers"))
    assert "Answer to 2.1.1" in page and "Status changed" not in page
    page = text(client.get(history_url(case) + "?show=file"))
    assert "Nothing of these kinds has been recorded for this case." in page


def test_history_comes_a_page_at_a_time(login, case, people):
    kq = question(case, "2.1.1")
    for n in range(30):
        services.answers_record(
            case=case,
            answers=[AnswerInput(question=kq, value="no", note=f"Look {n}")],
            actor=people.inspector,
        )
    client = login(people.lead)
    page = text(client.get(history_url(case)))
    assert "31 entries, showing 1 to 25" in page
    assert "Look 29" in page and "Look 0 " not in page
    page = text(client.get(history_url(case) + "?page=2"))
    assert "showing 26 to 31" in page and "Look 0" in page


def test_the_refusal_says_why_this_person_cannot_quality_assure(login, case, people):
    kq = question(case, "2.1.1")
    services.answers_record(
        case=case,
        answers=[AnswerInput(question=kq, value="yes", note="Seen by the lead")],
        actor=people.lead,
    )
    case = scored(case, people)
    response = login(people.lead).get(moderate_url(case))
    assert response.status_code == 403
    assert "You gave or changed answers in case C-001, so someone else must" in text(response)
    response = login(people.inspector).get(moderate_url(case))
    assert "Only quality assurance or the lead inspector" in text(response)
    services.case_agree(case=case, moderator=people.qa)
    response = login(people.qa).get(moderate_url(case))
    assert "Case C-001 is agreed: only a case submitted for quality assurance" in text(response)
