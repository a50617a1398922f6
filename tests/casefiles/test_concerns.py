"""Safeguarding concerns: raised from a case, followed up by the lead, audited, and holding up
publication while open."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from casefiles.concerns import services
from casefiles.concerns.models import Concern, ConcernChange
from casefiles.concerns.selectors import concern_counts, lead_alerts, open_counts
from casefiles.concerns.workdays import add_working_days, default_response_due, is_working_day
from casefiles.models import LinkedChild
from inspection import readiness
from tests.conftest import make_case

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- working days


def test_an_immediate_concern_referred_on_christmas_eve_2026_is_due_on_tuesday_29th():
    # Thursday 24 December 2026: Christmas Day (Friday), the weekend, and Boxing Day's
    # substitute bank holiday (Monday 28th) do not count.
    assert default_response_due(urgency="immediate", referred_on=date(2026, 12, 24)) == date(
        2026, 12, 29
    )
    assert default_response_due(urgency="working_day", referred_on=date(2026, 12, 24)) == date(
        2026, 12, 30
    )


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (date(2026, 11, 26), 1, date(2026, 11, 27)),  # Thursday to Friday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday to Monday, over the weekend
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # a Saturday referral: Monday
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # Good Friday and Easter Monday 2027
        (date(2026, 5, 1), 1, date(2026, 5, 5)),  # early May bank holiday (Monday 4 May)
        (date(2026, 8, 28), 2, date(2026, 9, 2)),  # summer bank holiday (Monday 31 August)
        (date(2026, 11, 26), 0, date(2026, 11, 26)),
    ],
)
def test_working_days_skip_weekends_and_bank_holidays_of_england_and_wales(start, days, due):
    assert add_working_days(start, days) == due


def test_scottish_and_northern_irish_bank_holidays_are_working_days():
    assert is_working_day(date(2026, 11, 30))  # St Andrew's Day (Scotland)
    assert is_working_day(date(2026, 3, 17))  # St Patrick's Day (Northern Ireland)
    assert not is_working_day(date(2026, 12, 25))


def test_a_negative_count_of_working_days_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 5), -1)


# --------------------------------------------------------------------------- raising


@pytest.fixture
def child(case):
    return LinkedChild.objects.create(case=case, name="Mia Morgan", relationship="child")


def raise_one(case, actor, *, child=None, urgency="immediate"):
    about = services.About(child=child) if child else services.About(subject=True)
    return services.concern_raise(
        case=case,
        about=about,
        urgency=urgency,
        found="No home visit since the police report of violence at the address.",
        why_urgent="The child lives with the alleged perpetrator.",
        actor=actor,
    )


def test_raising_records_every_field_and_emails_the_lead_a_link_only(
    case, child, people, django_capture_on_commit_callbacks
):
    people.lead.email = "lead@example.org"
    people.lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_one(case, people.inspector, child=child)

    assert concern.status == Concern.Status.RAISED
    assert concern.inspection == case.inspection and concern.organisation == case.organisation
    trail = {c.field_name: c.new_value for c in concern.changes.all()}
    assert trail["about"] == "Mia Morgan"
    assert trail["urgency"] == "Immediate: a child is at risk now"
    assert trail["found"].startswith("No home visit")
    assert {c.actor for c in concern.changes.all()} == {people.inspector}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lead@example.org"]
    assert "immediate" in message.subject
    assert str(concern.public_id) in message.body
    for personal in ("Mia", "Morgan", "home visit", "violence", case.reference, "Jayden"):
        assert personal not in message.body and personal not in message.subject


def test_a_mail_server_that_fails_does_not_undo_the_concern(
    case, people, settings, django_capture_on_commit_callbacks
):
    people.lead.email = "lead@example.org"
    people.lead.save()
    settings.EMAIL_BACKEND = "tests.casefiles.test_concerns.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_one(case, people.inspector)
    assert Concern.objects.filter(pk=concern.pk).exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


def test_only_the_team_raises_a_concern(case, people):
    for who in (people.manager, people.outsider, people.admin):
        with pytest.raises(PermissionDenied):
            raise_one(case, who)
    for who in (people.inspector, people.qa, people.partner, people.lead):
        raise_one(case, who)
    assert Concern.objects.count() == 4


def test_a_child_of_another_case_is_refused(case, people, inspection):
    other = make_case(inspection, reference="C-009")
    stranger = LinkedChild.objects.create(case=other, name="Ella Price", relationship="child")
    with pytest.raises(services.ConcernRefused, match="linked to this case"):
        raise_one(case, people.inspector, child=stranger)
    with pytest.raises(services.ConcernRefused, match="who the concern is about"):
        services.concern_raise(
            case=case,
            about=services.About(),
            urgency="immediate",
            found="x",
            why_urgent="y",
            actor=people.inspector,
        )
    assert not Concern.objects.exists()


# --------------------------------------------------------------------------- following up


def follow_up(concern, lead, *, referred_on=None):
    referred_on = referred_on or timezone.localdate()
    services.concern_acknowledge(concern=concern, actor=lead)
    services.concern_refer(
        concern=concern,
        organisation="Barking and Dagenham children's social care",
        person="Pat Jones, duty manager",
        referred_on=referred_on,
        method="phone",
        reference="MASH-1234",
        actor=lead,
    )
    services.concern_response_record(
        concern=concern,
        received_on=timezone.localdate(),
        response="Strategy meeting held; child protection enquiries begun.",
        actor=lead,
    )
    return services.concern_close(concern=concern, outcome="referred_on", note="", actor=lead)


def test_the_lead_follows_a_concern_up_to_closure_and_every_step_is_audited(case, people):
    concern = raise_one(case, people.inspector)
    closed = follow_up(concern, people.lead)

    assert closed.status == Concern.Status.CLOSED and closed.outcome == "referred_on"
    assert closed.acknowledged_by == people.lead and closed.closed_by == people.lead
    steps = list(closed.changes.values_list("step", "field_name", "old_value", "new_value"))
    assert (
        "acknowledged",
        "status",
        "Raised, not yet acknowledged",
        "Acknowledged, not yet referred",
    ) in steps
    assert ("referred", "referred_to_person", "", "Pat Jones, duty manager") in steps
    assert (
        "referred",
        "status",
        "Acknowledged, not yet referred",
        "Referred, awaiting a response",
    ) in steps
    assert ("closed", "status", "Response received", "Closed") in steps
    due = closed.changes.get(step="referred", field_name="response_due")
    assert due.new_value == closed.response_due.isoformat() and due.old_value == ""
    assert {row.actor for row in closed.changes.exclude(step="raised")} == {people.lead}
    assert closed.version == 5


def test_the_default_due_date_and_a_given_one(case, people):
    concern = raise_one(case, people.inspector)
    services.concern_acknowledge(concern=concern, actor=people.lead)
    referred = date(2026, 11, 27)  # a Friday
    Concern.objects.filter(pk=concern.pk).update(
        raised_at=timezone.make_aware(timezone.datetime(2026, 11, 26, 9))
    )
    concern = services.concern_refer(
        concern=concern,
        organisation="Children's social care",
        person="Duty manager",
        referred_on=referred,
        method="email",
        actor=people.lead,
    )
    assert concern.response_due == date(2026, 11, 30)
    concern = services.concern_refer(
        concern=concern,
        organisation="Children's social care",
        person="Duty manager",
        referred_on=referred,
        method="email",
        response_due=date(2026, 12, 4),
        actor=people.lead,
    )
    assert concern.response_due == date(2026, 12, 4)
    assert concern.status == Concern.Status.REFERRED
    with pytest.raises(services.ConcernRefused, match="on or after the date referred"):
        services.concern_refer(
            concern=concern,
            organisation="Children's social care",
            person="Duty manager",
            referred_on=referred,
            method="email",
            response_due=date(2026, 11, 1),
            actor=people.lead,
        )


def test_only_the_lead_follows_up(case, people):
    concern = raise_one(case, people.inspector)
    for who in (people.inspector, people.qa, people.partner, people.manager, people.admin):
        with pytest.raises(PermissionDenied):
            services.concern_acknowledge(concern=concern, actor=who)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RAISED
    assert not concern.changes.exclude(step="raised").exists()


def test_steps_out_of_order_and_stale_forms_are_refused(case, people):
    concern = raise_one(case, people.inspector)
    with pytest.raises(services.ConcernRefused, match="Acknowledge the concern"):
        services.concern_refer(
            concern=concern,
            organisation="CSC",
            person="Duty",
            referred_on=timezone.localdate(),
            method="phone",
            actor=people.lead,
        )
    with pytest.raises(services.ConcernRefused, match="before closing"):
        services.concern_close(concern=concern, outcome="service_acted", note="", actor=people.lead)
    services.concern_acknowledge(concern=concern, actor=people.lead, seen_version=1)
    with pytest.raises(services.StaleConcern):
        services.concern_acknowledge(concern=concern, actor=people.lead, seen_version=1)
    with pytest.raises(services.ConcernRefused, match="in the past"):
        services.concern_refer(
            concern=concern,
            organisation="CSC",
            person="Duty",
            referred_on=timezone.localdate() + timedelta(days=1),
            method="phone",
            actor=people.lead,
        )
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ACKNOWLEDGED and concern.version == 2


# --------------------------------------------------------------------------- what it holds up


def test_an_open_concern_is_missing_before_publication_until_closed(case, people, inspection):
    concern = raise_one(case, people.inspector)
    found = [m for m in readiness.missing(inspection) if m.group == "Safeguarding concerns"]
    assert len(found) == 1
    assert found[0].url == reverse("casefiles:concern_detail", args=[concern.public_id])
    assert "immediate" in found[0].text and "Mia" not in found[0].text
    assert not readiness.is_ready(inspection)
    follow_up(concern, people.lead)
    assert not [m for m in readiness.missing(inspection) if m.group == "Safeguarding concerns"]


def test_counts_for_the_methodology_and_the_dashboards(case, people, inspection):
    first = raise_one(case, people.inspector)
    second = raise_one(case, people.colleague, urgency="working_day")
    follow_up(first, people.lead)
    assert concern_counts(inspection) == {"raised": 2, "closed": 1}
    services.concern_acknowledge(concern=second, actor=people.lead)
    services.concern_refer(
        concern=second,
        organisation="CSC",
        person="Duty",
        referred_on=timezone.localdate(),
        method="phone",
        response_due=timezone.localdate(),
        actor=people.lead,
    )
    today = timezone.localdate()
    assert open_counts([inspection.pk], today=today) == {"open": 1, "overdue": 0}
    assert open_counts([inspection.pk], today=today + timedelta(days=1)) == {
        "open": 1,
        "overdue": 1,
    }


def test_the_lead_is_alerted_until_acknowledging(case, people, inspection):
    assert lead_alerts(people.lead) == []
    concern = raise_one(case, people.inspector)
    raise_one(case, people.inspector)
    assert lead_alerts(people.lead) == [
        {
            "inspection__reference": inspection.reference,
            "inspection__title": inspection.title,
            "waiting": 2,
        }
    ]
    for who in (people.inspector, people.qa, people.manager):
        assert lead_alerts(who) == []
    services.concern_acknowledge(concern=concern, actor=people.lead)
    assert lead_alerts(people.lead)[0]["waiting"] == 1


def test_a_concern_step_leaves_an_audit_row_in_the_same_transaction(case, people, monkeypatch):
    concern = raise_one(case, people.inspector)

    def fail(*args, **kwargs):
        raise RuntimeError("audit failed")

    monkeypatch.setattr(ConcernChange.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        services.concern_acknowledge(concern=concern, actor=people.lead)
    concern.refresh_from_db()
    assert concern.status == Concern.Status.RAISED and concern.acknowledged_at is None


def test_a_null_character_is_refused_by_the_service_too(case, people):
    with pytest.raises(services.ConcernRefused, match="must not contain null characters"):
        services.concern_raise(
            case=case,
            about=services.About(subject=True),
            urgency="immediate",
            found="a\x00b",
            why_urgent="y",
            actor=people.inspector,
        )
    assert not Concern.objects.exists()
