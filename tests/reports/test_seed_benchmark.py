"""The benchmark dataset: its size, every applicable question answered, and safe re-runs."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from casefiles.models import Case, Referral
from inspection.models import Area, Framework, Inspection, Organisation, Question, User
from judgements.models import Answer, AnswerTally, AuditEvent, OrganisationRating
from judgements.tallies import tallies_differences


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_benchmark", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_builds_the_asked_for_size_with_every_applicable_question_answered():
    output = seed(organisations=3, inspections=2, cases=7)
    assert Organisation.objects.filter(slug__startswith="bench-").count() == 3
    assert Area.objects.filter(slug__startswith="bench-").count() == 3
    inspections = Inspection.objects.filter(reference__startswith="bench-")
    assert inspections.count() == 6
    assert all(i.organisations.count() == 1 for i in inspections)
    assert Case.objects.filter(inspection__in=inspections).count() == 42

    framework = Framework.objects.get(slug="youth-offending-services")
    applicable = {
        sample: sum(
            1 for q in Question.objects.filter(framework=framework) if sample in q.applies_to
        )
        for sample in framework.sample_types
    }
    answered = dict(Case.objects.annotate(n=Count("answers")).values_list("pk", "n"))
    for case in Case.objects.all():
        # Every applicable question, key questions and prompts alike, and nothing else.
        assert answered[case.pk] == applicable[case.sample_type]
    assert not Answer.objects.exclude(value__in=["yes", "no", "na"]).exists()
    assert "6 inspections, 42 cases" in output
    assert f"{Answer.objects.count()} answers" in output

    # Lead inspectors' ratings for the standards judged from interviews and documents.
    organisation_standards = framework.standards.filter(judged_by="organisation").count()
    assert OrganisationRating.objects.count() == 6 * organisation_standards
    # Referrals for the tracker, each in a case of its own.
    assert Referral.objects.count() == Referral.objects.values("case").distinct().count()
    assert User.objects.get(username="benchmark-manager").is_manager
    # The answers went in around the services: their tallies were counted in the same run.
    assert AnswerTally.objects.exists()
    assert tallies_differences() == []


@pytest.mark.django_db
def test_answers_apply_to_the_case_sample_type():
    seed(organisations=2, inspections=1, cases=5)
    for case_sample, applies_to in Answer.objects.values_list(
        "case__sample_type", "question__applies_to"
    ):
        assert case_sample in applies_to


@pytest.mark.django_db
def test_inspections_follow_each_other_a_year_apart():
    seed(organisations=1, inspections=3, cases=1)
    years = list(
        Inspection.objects.order_by("fieldwork_start").values_list(
            "fieldwork_start__year", flat=True
        )
    )
    assert years == [years[0], years[0] + 1, years[0] + 2]


@pytest.mark.django_db
def test_a_second_run_needs_replace_and_then_rebuilds():
    seed(organisations=2, inspections=1, cases=2)
    with pytest.raises(CommandError, match="--replace"):
        seed(organisations=2, inspections=1, cases=2)
    output = seed(organisations=1, inspections=1, cases=3, replace=True)
    assert "Removed the earlier benchmark dataset" in output
    assert Organisation.objects.filter(slug__startswith="bench-").count() == 1
    assert Case.objects.count() == 3


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_answers():
    seed(organisations=2, inspections=1, cases=4, seed=7)
    first = list(Answer.objects.order_by("case__reference", "question__code").values_list("value"))
    seed(organisations=2, inspections=1, cases=4, seed=7, replace=True)
    again = list(Answer.objects.order_by("case__reference", "question__code").values_list("value"))
    assert first == again


@pytest.mark.django_db
@pytest.mark.parametrize("option", ["organisations", "inspections", "cases"])
def test_sizes_must_be_at_least_one(option):
    with pytest.raises(CommandError, match=f"--{option} must be at least 1"):
        seed(**{option: 0})


@pytest.mark.django_db
def test_an_unknown_framework_is_refused():
    with pytest.raises(CommandError, match="no framework called 'nope'"):
        seed(framework="nope", organisations=1, inspections=1, cases=1)


@pytest.mark.django_db
def test_every_judgement_it_writes_is_in_the_audit_trail():
    seed(organisations=2, inspections=2, cases=3)
    events = AuditEvent.objects.values_list("action").annotate(n=Count("id"))
    counts = dict(events)
    assert counts["answer_created"] == Answer.objects.count()
    assert counts["status_changed"] == Case.objects.count()
    assert counts["org_rating_changed"] == 2 * OrganisationRating.objects.count()
    # Each answer's event names its question and case, as the services record it.
    answer = Answer.objects.select_related("question", "case").first()
    event = AuditEvent.objects.get(
        action="answer_created", case=answer.case, subject=answer.question.code
    )
    assert event.new_value == answer.get_value_display()
    assert event.inspection_id == answer.case.inspection_id
    assert event.actor.username == "benchmark-inspector"


@pytest.mark.django_db(transaction=True)
def test_leaves_the_tables_vacuumed_and_analysed_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and the planner's statistics tables are PostgreSQL's")
    seed(organisations=1, inspections=1, cases=3)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [Answer._meta.db_table],
        )
        last_vacuum, last_analyze = cursor.fetchone()
    assert last_vacuum is not None
    assert last_analyze is not None
