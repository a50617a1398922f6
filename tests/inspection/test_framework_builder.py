"""Building a framework version in the service: drafts, the checks before publishing, the
comparison, the copy, publishing freezing a version, and the audit of every change."""

import copy
import json

import pytest
from django.forms import modelform_factory
from django.urls import reverse

from inspection.builder import services
from inspection.builder.checks import document_problems, framework_problems
from inspection.builder.compare import framework_compare
from inspection.models import Framework, FrameworkChange, Inspection, Question
from inspection.services import FrameworkError, framework_document
from tests.conftest import make_inspection, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_user("editor", edits_frameworks=True)


@pytest.fixture
def draft(yos_framework, editor):
    return services.draft_start(
        actor=editor, source=yos_framework, slug="", name="Youth offending services", version="2026"
    )


def _question(framework, code) -> Question:
    return framework.questions.get(code=code)


# --------------------------------------------------------------------------- the copy


def test_a_draft_copied_from_a_version_holds_everything_it_held(yos_framework, draft, editor):
    original, copied = framework_document(yos_framework), framework_document(draft)
    assert copied["version"] == "2026" and copied["slug"] == yos_framework.slug
    assert {**copied, "version": "2018"} == original
    assert draft.is_draft and not yos_framework.is_draft
    assert draft.questions.count() == yos_framework.questions.count() > 0
    started = FrameworkChange.objects.get(framework=draft)
    assert (started.action, started.actor, started.new) == (
        "started",
        editor,
        {"from": str(yos_framework)},
    )


def test_a_draft_started_from_nothing_is_empty_and_cannot_be_published(editor):
    draft = services.draft_start(
        actor=editor, source=None, slug="victims", name="Victims", version="1"
    )
    assert draft.is_draft and not draft.domains.exists()
    problems = framework_problems(draft)
    assert "The framework has no domain" in problems
    assert "The framework draws no sample (sample_types is empty)" in problems
    with pytest.raises(services.PublishRefused):
        services.framework_publish(framework=draft, actor=editor)
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_version_that_exists_is_not_started_again(yos_framework, editor):
    with pytest.raises(FrameworkError, match="already exists"):
        services.draft_start(
            actor=editor, source=yos_framework, slug="", name="Again", version="2018"
        )


def test_a_draft_is_offered_to_no_inspection(draft, yos_framework):
    offered = modelform_factory(Inspection, fields=["framework"])().fields["framework"].queryset
    assert yos_framework in offered and draft not in offered


# --------------------------------------------------------------------------- the checks


def test_an_unchanged_copy_passes_every_check(draft):
    assert framework_problems(draft) == []


def test_repeated_codes_are_refused(yos_framework):
    data = framework_document(yos_framework)
    standards = data["domains"][1]["standards"]
    standards[1]["code"] = standards[0]["code"]
    standards[1]["key_questions"][0]["code"] = standards[0]["key_questions"][0]["code"]
    data["domains"][2]["code"] = data["domains"][1]["code"]
    problems = document_problems(data)
    assert "The standard code 2.1 is used 2 times" in problems
    assert "The question code 2.1.1 is used 2 times" in problems
    assert "The domain code 2 is used 2 times" in problems


def test_a_standard_without_a_key_question_is_refused(draft, editor):
    for question in list(draft.questions.filter(standard__code="2.3", parent=None)):
        services.item_remove(framework=draft, actor=editor, kind="question", item=question)
    assert "Standard 2.3 has no key question" in framework_problems(draft)


def test_a_question_asked_of_a_sample_the_framework_does_not_draw_is_refused(draft, editor):
    question = _question(draft, "2.1.1")
    services.item_save(
        framework=draft,
        actor=editor,
        kind="question",
        item=question,
        applies_to=["court_disposal", "victim"],
    )
    assert (
        "Question 2.1.1 applies to the 'victim' sample, which the framework does not draw"
        in framework_problems(draft)
    )


def test_a_question_asked_of_a_kind_that_does_not_exist_is_refused(yos_framework):
    data = framework_document(yos_framework)
    data["domains"][1]["standards"][0]["key_questions"][0]["organisation_kinds"] = ["prison"]
    problems = document_problems(data)
    assert "Question 2.1.1 is asked of 'prison', which is not a kind of organisation" in problems


def test_overlapping_bands_and_thresholds_and_gaps_are_refused(yos_framework):
    data = framework_document(yos_framework)
    data["rating_bands"][1]["min_percent"] = 85  # Good above Outstanding's 80: overlap
    data["rating_bands"][3]["min_percent"] = 10  # nothing below 10%: a gap
    data["overall_thresholds"][2]["above_per_standard"] = 1.5  # the same as Good: overlap
    data["overall_thresholds"][3]["above_per_standard"] = 0.2  # the floor has a limit: a gap
    problems = document_problems(data)
    assert (
        "Rating bands: Good starts at 85%, not below Outstanding (80%): the bands overlap"
        in problems
    )
    assert (
        "Rating bands: the last band (Inadequate) starts at 10%, leaving a gap below it: "
        "it must start at 0%" in problems
    )
    assert "Overall thresholds: a limit of 1.5 is not below 1.5: the thresholds overlap" in problems
    assert (
        "Overall thresholds: the last row has a limit, leaving a gap below it: "
        "leave its limit empty" in problems
    )


def test_publishing_lists_every_problem_at_once(draft, editor):
    data = framework_document(draft)
    services.framework_details_update(
        framework=draft,
        actor=editor,
        rating_bands=[
            {**band, "min_percent": 5} if band["rating"] == "Inadequate" else band
            for band in data["rating_bands"]
        ],
    )
    services.item_save(
        framework=draft,
        actor=editor,
        kind="question",
        item=_question(draft, "3.1.1"),
        applies_to=["resettlement"],
    )
    for question in list(draft.questions.filter(standard__code="2.4", parent=None)):
        services.item_remove(framework=draft, actor=editor, kind="question", item=question)

    with pytest.raises(services.PublishRefused) as refused:
        services.framework_publish(framework=draft, actor=editor)

    problems = refused.value.problems
    assert any("Rating bands: the last band (Inadequate) starts at 5%" in p for p in problems)
    assert any("Question 3.1.1 applies to the 'resettlement' sample" in p for p in problems)
    assert "Standard 2.4 has no key question" in problems
    draft.refresh_from_db()
    assert draft.is_draft and draft.published_at is None


# --------------------------------------------------------------------------- publishing


def test_publishing_freezes_the_version(draft, editor):
    services.framework_publish(framework=draft, actor=editor)
    draft.refresh_from_db()
    assert draft.status == Framework.Status.PUBLISHED and draft.published_at is not None
    assert len(draft.checksum) == 64
    with pytest.raises(FrameworkError, match="never changes"):
        services.item_save(
            framework=draft,
            actor=editor,
            kind="question",
            item=_question(draft, "2.1.1"),
            text="Changed after publishing",
        )
    with pytest.raises(FrameworkError, match="never changes"):
        services.framework_details_update(framework=draft, actor=editor, name="Renamed")
    assert _question(draft, "2.1.1").text != "Changed after publishing"
    assert FrameworkChange.objects.filter(framework=draft, action="published").count() == 1


def test_a_version_an_inspection_uses_refuses_every_change(
    yos_framework, editor, people, organisation
):
    make_inspection(framework=yos_framework, organisations=[organisation], people=people)
    # Even were it marked a draft, its first inspection freezes it.
    Framework.objects.filter(pk=yos_framework.pk).update(status=Framework.Status.DRAFT)
    with pytest.raises(FrameworkError, match="never changes"):
        services.item_remove(
            framework=yos_framework,
            actor=editor,
            kind="question",
            item=_question(yos_framework, "2.1.1"),
        )
    assert yos_framework.questions.filter(code="2.1.1").exists()


# --------------------------------------------------------------------------- edits, moves, audit


def test_an_edit_is_audited_with_who_old_and_new(draft, editor):
    question = _question(draft, "2.1.1")
    old_text = question.text
    services.item_save(
        framework=draft,
        actor=editor,
        kind="question",
        item=question,
        text="A new question?",
        source="A new source",
    )
    change = FrameworkChange.objects.filter(framework=draft).last()
    assert (change.actor, change.action, change.target) == (editor, "changed", "question 2.1.1")
    assert change.old["text"] == old_text and change.new["text"] == "A new question?"
    assert change.new["source"] == "A new source"


def test_moving_a_question_keeps_its_prompts_with_it_and_is_audited(draft, editor):
    second = _question(draft, "2.1.2")
    services.item_move(framework=draft, actor=editor, kind="question", item=second, up=True)
    order = list(draft.questions.filter(standard__code="2.1").values_list("code", flat=True))
    prompts_of_2 = list(second.prompts.values_list("code", flat=True))
    assert order[0] == "2.1.2"
    assert order[1 : 1 + len(prompts_of_2)] == prompts_of_2
    assert order[1 + len(prompts_of_2)] == "2.1.1"
    change = FrameworkChange.objects.filter(framework=draft).last()
    assert (change.action, change.old, change.new) == ("moved up", {"position": 2}, {"position": 1})
    # The first cannot move further up: nothing changes, nothing is recorded.
    changes = FrameworkChange.objects.count()
    assert not services.item_move(
        framework=draft, actor=editor, kind="question", item=_question(draft, "2.1.2"), up=True
    )
    assert FrameworkChange.objects.count() == changes


def test_a_removed_question_is_audited_with_what_it_was(draft, editor):
    services.item_remove(
        framework=draft, actor=editor, kind="question", item=_question(draft, "2.1.1")
    )
    change = FrameworkChange.objects.filter(framework=draft).last()
    assert (change.action, change.target, change.new) == ("removed", "question 2.1.1", None)
    assert change.old["code"] == "2.1.1"
    assert not draft.questions.filter(code__startswith="2.1.1").exists()  # its prompts too


# --------------------------------------------------------------------------- the comparison


def test_the_comparison_lists_added_removed_and_changed_questions_and_rules(
    yos_framework, draft, editor
):
    services.item_save(
        framework=draft,
        actor=editor,
        kind="question",
        item=_question(draft, "2.1.1"),
        text="Changed text",
    )
    services.item_remove(
        framework=draft, actor=editor, kind="question", item=_question(draft, "3.4.2")
    )
    services.item_save(
        framework=draft,
        actor=editor,
        kind="question",
        code="3.4.9",
        text="A new one",
        source="Somewhere",
        applies_to=["out_of_court"],
        standard=draft.standards.get(code="3.4"),
        parent=None,
    )
    services.framework_details_update(
        framework=draft,
        actor=editor,
        rating_options={
            "minimum_cases": {"key_question": 1, "standard": 1, "overall": 10},
            "small_organisation": None,
        },
    )

    draft.refresh_from_db()
    comparison = framework_compare(yos_framework, draft)

    assert [c.code for c in comparison.questions["added"]] == ["3.4.9"]
    removed = [c.code for c in comparison.questions["removed"]]
    assert removed[0] == "3.4.2" and all(code.startswith("3.4.2") for code in removed)
    changed = comparison.questions["changed"]
    assert [(c.code, c.fields) for c in changed] == [("2.1.1", ["text"])]
    assert changed[0].rows == [("text", _question(yos_framework, "2.1.1").text, "Changed text")]
    assert [c.code for c in comparison.rules] == ["minimum_cases"]
    assert framework_compare(yos_framework, yos_framework).same


# --------------------------------------------------------------------------- export and import


def test_an_exported_version_imports_as_a_new_draft_with_the_same_content(yos_framework, editor):
    data = framework_document(yos_framework) | {"version": "2018-copy"}
    imported = services.draft_import(actor=editor, raw=json.dumps(data).encode())
    assert imported.is_draft
    assert framework_document(imported) == data
    assert FrameworkChange.objects.get(framework=imported).action == "imported"


def test_a_broken_file_is_not_imported_and_every_problem_is_listed(yos_framework, editor):
    data = copy.deepcopy(framework_document(yos_framework)) | {"version": "broken"}
    data["domains"][1]["standards"][0]["key_questions"] = []
    data["domains"][2]["standards"][0]["key_questions"][0]["applies_to"] = ["victim"]
    with pytest.raises(services.PublishRefused) as refused:
        services.draft_import(actor=editor, raw=json.dumps(data).encode())
    assert "Standard 2.1 has no key question" in refused.value.problems
    assert any("Question 3.1.1 applies to the 'victim' sample" in p for p in refused.value.problems)
    assert not Framework.objects.filter(version="broken").exists()
    with pytest.raises(services.PublishRefused, match="not valid JSON"):
        services.draft_import(actor=editor, raw=b"{not json")


# --------------------------------------------------------------------------- pages


def test_the_list_page_takes_a_fixed_number_of_queries(
    client, editor, yos_framework, cp_framework, django_assert_num_queries
):
    client.force_login(editor)
    # session, user (with whether a safeguarding concern waits for them: none does, so the
    # banner reads nothing), frameworks
    with django_assert_num_queries(3):
        response = client.get(reverse("frameworks:list"))
    assert response.status_code == 200
    assert "Youth offending services" in response.content.decode()


def test_a_bad_question_form_names_the_field_and_changes_nothing(client, editor, draft):
    client.force_login(editor)
    url = reverse("frameworks:edit", args=[draft.slug, draft.version, "question", "2.1.1"])
    before = FrameworkChange.objects.count()
    response = client.post(url, {"standard": "2.1", "code": "2.1.2", "text": "", "source": "x"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Code 2.1.2 is already used by another question" in body
    assert "There is a problem" in body
    assert FrameworkChange.objects.count() == before


def test_publishing_a_broken_draft_in_the_page_lists_the_problems(client, editor, draft):
    services.item_remove(
        framework=draft, actor=editor, kind="question", item=_question(draft, "2.2.1")
    )
    Question.objects.filter(framework=draft, standard__code="2.2").delete()
    client.force_login(editor)
    response = client.post(reverse("frameworks:publish", args=[draft.slug, draft.version]))
    assert response.status_code == 200
    assert "Not published" in response.content.decode()
    assert "Standard 2.2 has no key question" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


def test_the_export_is_the_framework_file(client, editor, yos_framework):
    client.force_login(editor)
    response = client.get(
        reverse("frameworks:export", args=[yos_framework.slug, yos_framework.version])
    )
    assert response.status_code == 200
    assert json.loads(response.content) == framework_document(yos_framework)


def test_a_change_made_on_a_stale_form_is_refused_and_changes_nothing(client, editor, draft):
    client.force_login(editor)
    url = reverse("frameworks:edit", args=[draft.slug, draft.version, "domain", "2"])
    seen = draft.changes.count()
    # Someone else changes the draft after the form was opened.
    services.item_save(
        framework=draft,
        actor=editor,
        kind="domain",
        item=draft.domains.get(code="3"),
        title="Out-of-court work",
    )
    before = FrameworkChange.objects.count()
    response = client.post(url, {"code": "2", "title": "Court work", "seen": str(seen)})
    assert response.status_code == 200
    assert "someone else changed this draft" in response.content.decode()
    assert draft.domains.get(code="2").title == "Court disposals"
    assert FrameworkChange.objects.count() == before
    # With the number the page now shows, the change is made.
    response = client.post(url, {"code": "2", "title": "Court work", "seen": str(seen + 1)})
    assert response.status_code == 302
    assert draft.domains.get(code="2").title == "Court work"


def test_removing_a_standard_records_its_questions_too(draft, editor):
    standard = draft.standards.get(code="3.4")
    codes = set(draft.questions.filter(standard=standard).values_list("code", flat=True))
    services.item_remove(framework=draft, actor=editor, kind="standard", item=standard)
    change = FrameworkChange.objects.filter(framework=draft).last()
    assert change.target == "standard 3.4"
    assert {q["code"] for q in change.old["questions"]} == codes
    assert not draft.questions.filter(code__in=codes).exists()


def test_the_draft_page_takes_a_fixed_number_of_queries(
    client, editor, draft, django_assert_num_queries
):
    client.force_login(editor)
    # session, user (with whether a safeguarding concern waits for them: none does, so the
    # banner reads nothing), framework, domains, standards, questions, in use (twice), changes
    with django_assert_num_queries(9):
        response = client.get(reverse("frameworks:detail", args=[draft.slug, draft.version]))
    assert response.status_code == 200
    assert 'Move up<span class="govuk-visually-hidden"> question 2.1.1</span>' in (
        response.content.decode()
    )


def test_a_file_imported_in_the_page_becomes_a_draft_and_a_broken_one_lists_its_problems(
    client, editor, yos_framework
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    data = framework_document(yos_framework) | {"version": "2027"}
    response = client.post(
        reverse("frameworks:import"),
        {"file": SimpleUploadedFile("f.json", json.dumps(data).encode(), "application/json")},
    )
    assert response.status_code == 302
    assert Framework.objects.get(version="2027").is_draft

    data = data | {"version": "2028", "sample_types": ["court_disposal"]}
    response = client.post(
        reverse("frameworks:import"),
        {"file": SimpleUploadedFile("f.json", json.dumps(data).encode(), "application/json")},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The file was not imported" in body
    assert "Question 3.1.1 applies to the &#x27;out_of_court&#x27; sample" in body
    assert not Framework.objects.filter(version="2028").exists()


def test_a_code_too_long_for_its_kind_is_refused_in_the_form(client, editor, draft):
    client.force_login(editor)
    url = reverse("frameworks:edit", args=[draft.slug, draft.version, "standard", "2.1"])
    response = client.post(
        url,
        {
            "domain": "2",
            "code": "2.123456789",
            "title": "Assessment",
            "statement": "x",
            "judged_by": "cases",
            "counts_toward_overall": "yes",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Code must be 10 characters or fewer"]
    assert "Code must be 10 characters or fewer" in response.content.decode()
    assert draft.standards.filter(code="2.1").exists()


def test_setting_up_an_inspection_offers_no_draft(draft, yos_framework):
    from inspection.setup.forms import InspectionForm, newest_framework

    offered = list(InspectionForm.base_fields["framework"].queryset)
    assert yos_framework in offered and draft not in offered
    assert newest_framework() != draft


# --------------------------------------------------------------------------- guidance


def test_guidance_is_edited_audited_compared_and_travels_in_the_file(
    yos_framework, draft, editor, client
):
    services.item_save(
        framework=draft,
        actor=editor,
        kind="question",
        item=_question(draft, "2.1.1"),
        guidance="Look for the assessment tool and when it was last reviewed.",
    )
    change = FrameworkChange.objects.filter(framework=draft).last()
    assert (change.old["guidance"], change.new["guidance"]) == (
        "",
        "Look for the assessment tool and when it was last reviewed.",
    )
    draft.refresh_from_db()
    comparison = framework_compare(yos_framework, draft)
    assert [(c.code, c.fields) for c in comparison.questions["changed"]] == [
        ("2.1.1", ["guidance"])
    ]
    # The file carries it, and a file without it means none (the shipped files).
    document = framework_document(draft)
    key_question = document["domains"][1]["standards"][0]["key_questions"][0]
    assert key_question["code"] == "2.1.1"
    assert key_question["guidance"].startswith("Look for the assessment tool")
    shipped = framework_document(yos_framework)
    assert not [
        question
        for domain in shipped["domains"]
        for standard in domain["standards"]
        for kq in standard["key_questions"]
        for question in [kq, *kq["prompts"]]
        if "guidance" in question
    ]
    imported = services.draft_import(
        actor=editor, raw=json.dumps(document | {"version": "2026-guided"}).encode()
    )
    assert _question(imported, "2.1.1").guidance == key_question["guidance"]
    # The preview shows it as the step page does: in a details element under the question.
    client.force_login(editor)
    page = client.get(
        reverse("frameworks:preview", args=[draft.slug, draft.version, "2.1"])
    ).content.decode()
    assert 'Guidance<span class="govuk-visually-hidden"> for 2.1.1</span>' in page
    assert "Look for the assessment tool and when it was last reviewed." in page
