"""Forms for scoring a step, quality assurance and organisation-level ratings."""

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import escape
from django.utils.safestring import mark_safe

from inspection.formtools import GovForm, name_required_messages
from inspection.models import Question

from .models import AnswerValue, EvidenceSource, OrganisationRating
from .rules import note_problem
from .selectors import HISTORY_KINDS
from .services import AnswerInput

NOTE_MAX = 5000


class _Normalised(BaseChoiceIterator):
    """Choices already in Django's normal form, (value, label) pairs: a field takes them as they
    are instead of normalising them again for each of a step's fields."""

    def __init__(self, choices):
        self.choices = tuple(choices)

    def __iter__(self):
        return iter(self.choices)


ANSWER_CHOICES = _Normalised(AnswerValue.choices)
SOURCE_CHOICES = _Normalised([("", "Not said"), *EvidenceSource.choices])


def field_prefix(question: Question) -> str:
    return f"q{question.pk}"


class StepForm(forms.Form):
    """Every question of one step: an answer, an evidence note, and the version last seen."""

    def __init__(self, *args, questions: list[Question], answers: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            prefix = field_prefix(question)
            answer = answers.get(question.pk)
            too_long = f"Evidence for {question.code} must be {NOTE_MAX} characters or fewer"
            self.fields[f"{prefix}-value"] = forms.ChoiceField(
                label=question.text,
                choices=ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Select Yes, No or Not applicable for {question.code}"
                },
            )
            self.fields[f"{prefix}-note"] = forms.CharField(
                label=f"Evidence for {question.code}",
                required=False,
                widget=forms.Textarea,
                max_length=NOTE_MAX,
                error_messages={
                    "max_length": too_long,
                    "null_characters_not_allowed": (
                        f"Evidence for {question.code} must not contain null characters"
                    ),
                },
            )
            self.fields[f"{prefix}-version"] = forms.IntegerField(
                required=False, min_value=0, widget=forms.HiddenInput
            )
            self.fields[f"{prefix}-source"] = forms.ChoiceField(
                label=f"Where the evidence for {question.code} came from",
                choices=SOURCE_CHOICES,
                required=False,
                error_messages={
                    "invalid_choice": f"Select where the evidence for {question.code} came from"
                },
            )
            if answer:
                self.initial[f"{prefix}-value"] = answer.value
                self.initial[f"{prefix}-note"] = answer.note
            # Most evidence comes from reading the file: that is offered until someone says
            # otherwise (an answer saved before sources were recorded shows it too).
            self.initial[f"{prefix}-source"] = (
                answer.evidence_source
                if answer and answer.evidence_source
                else EvidenceSource.CASE_FILE
            )
            self.initial[f"{prefix}-version"] = answer.version if answer else 0

    def clean(self):
        data = super().clean()
        for question in self.questions:
            prefix = field_prefix(question)
            if f"{prefix}-version" in self.errors:
                # The version is hidden and sent back as the page gave it; a bad one is shown
                # with the question's answer, as the error summary lists only those.
                del self.errors[f"{prefix}-version"]
                self.add_error(
                    f"{prefix}-value",
                    f"{question.code} could not be checked against the saved answer: "
                    "reload the page and answer it again",
                )
            if f"{prefix}-source" in self.errors:
                # Shown with the question's answer, which the error summary lists.
                problems = self.errors.pop(f"{prefix}-source")
                for problem in problems:
                    self.add_error(f"{prefix}-value", problem)
            value = data.get(f"{prefix}-value") or ""
            note = data.get(f"{prefix}-note") or ""
            if not value and note.strip():
                self.add_error(
                    f"{prefix}-value",
                    f"Select Yes, No or Not applicable for {question.code} to go with its note",
                )
            elif value:
                problem = note_problem(question, value, note)
                if problem:
                    self.add_error(f"{prefix}-note", problem)
        return data

    def answer_inputs(self) -> list[AnswerInput]:
        inputs = []
        for question in self.questions:
            prefix = field_prefix(question)
            value = self.cleaned_data.get(f"{prefix}-value")
            if value:
                inputs.append(
                    AnswerInput(
                        question=question,
                        value=value,
                        note=self.cleaned_data.get(f"{prefix}-note") or "",
                        seen_version=self.cleaned_data.get(f"{prefix}-version") or 0,
                    )
                )
        return inputs

    def rows(self) -> list[dict]:
        """Each question with what its fields show, as plain values the template prints: the
        ids, names, values, errors and choices (with the one chosen) that the widgets would
        render, without rendering a widget (for a step's questions that took most of the
        page's time)."""
        return [self._row(question) for question in self.questions]

    def _row(self, question: Question) -> dict:
        prefix = field_prefix(question)
        value = self[f"{prefix}-value"]
        note = self[f"{prefix}-note"]
        version = self[f"{prefix}-version"]
        source = self[f"{prefix}-source"]
        version_value = version.value()
        value_shown = _shown(value, choices=True)
        source_shown = _shown(source, choices=True)
        return {
            "question": question,
            "value": {**value_shown, "radios": _radios(value_shown)},
            "note": {**_shown(note), "value": note.value()},
            # A hidden input has no value attribute when its value is empty (as Django's).
            "version": {
                **_shown(version),
                "value": None if version_value in ("", None) else str(version_value),
            },
            "source": {**source_shown, "options": _options(source_shown)},
        }

    def sources(self) -> dict[Question, str]:
        """Where each answered question's evidence came from (services.answer_sources_record)."""
        return {
            question: self.cleaned_data.get(f"{field_prefix(question)}-source") or ""
            for question in self.questions
            if self.cleaned_data.get(f"{field_prefix(question)}-value")
        }


def _shown(field: forms.BoundField, *, choices: bool = False) -> dict:
    """A field's id, name and errors; with ``choices``, each choice's value and label and
    whether it is the one chosen (compared as text, as Django's choice widgets do)."""
    shown = {"auto_id": field.auto_id, "html_name": field.html_name, "errors": field.errors}
    if choices:
        chosen = field.value()
        chosen = "" if chosen is None else str(chosen)
        shown["choices"] = [
            {"value": value, "label": label, "checked": str(value) == chosen}
            for value, label in field.field.choices
        ]
    return shown


# A step's answers as radio buttons and its sources as options, drawn here rather than in the
# template: 14 questions of 3 buttons and 4 options made half the page's template variables.
# The markup and its whitespace are what judgements/step.html drew with a loop; each value
# put in is escaped (django.utils.html.escape), as the template escaped it.
RADIO = (
    '\n                <div class="govuk-radios__item">'
    '\n                  <input class="govuk-radios__input" id="{}_{}" name="{}" type="radio"'
    ' value="{}"{}>'
    '\n                  <label class="govuk-label govuk-radios__label" for="{}_{}">{}</label>'
    "\n                </div>\n                "
)
OPTION = '<option value="{}"{}>{}</option>'


def _radios(shown: dict) -> str:
    """The answer's radio buttons (judgements/step.html, second_step.html), every value
    escaped."""
    auto_id, name = escape(shown["auto_id"]), escape(shown["html_name"])
    return mark_safe(  # noqa: S308
        "".join(
            RADIO.format(
                auto_id,
                index,
                name,
                escape(choice["value"]),
                " checked" if choice["checked"] else "",
                auto_id,
                index,
                escape(choice["label"]),
            )
            for index, choice in enumerate(shown["choices"])
        )
    )


def _options(shown: dict) -> str:
    """The evidence source's options (judgements/step.html), every value escaped."""
    return mark_safe(  # noqa: S308
        "".join(
            OPTION.format(
                escape(choice["value"]),
                " selected" if choice["checked"] else "",
                escape(choice["label"]),
            )
            for choice in shown["choices"]
        )
    )


class AutosaveForm(forms.Form):
    question = forms.CharField()
    value = forms.ChoiceField(choices=AnswerValue.choices)
    note = forms.CharField(required=False, max_length=NOTE_MAX)
    version = forms.IntegerField(min_value=0)
    # Where the evidence came from; left out by a page that does not ask.
    source = forms.ChoiceField(choices=EvidenceSource.choices, required=False)


class ReturnForm(forms.Form):
    """The moderator's decision: agree, or return chosen questions each with a reason."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            prefix = field_prefix(question)
            self.fields[f"{prefix}-return"] = forms.BooleanField(
                label=f"Return {question.code}", required=False
            )
            self.fields[f"{prefix}-reason"] = forms.CharField(
                label=f"Reason for returning {question.code}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=NOTE_MAX,
                error_messages={
                    "max_length": (
                        f"Reason for returning {question.code} must be {NOTE_MAX} characters "
                        "or fewer"
                    ),
                    "null_characters_not_allowed": (
                        f"Reason for returning {question.code} must not contain null characters"
                    ),
                },
            )

        self.fields["feedback"] = forms.CharField(
            label="Overall feedback to the inspector (optional)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=NOTE_MAX,
            error_messages={
                "max_length": f"Overall feedback must be {NOTE_MAX} characters or fewer",
                "null_characters_not_allowed": "Overall feedback must not contain null characters",
            },
        )

    # The button pressed: "agree" asks for confirmation, "agree-confirmed" is the confirmation
    # page's button; anything else returns the ticked questions.

    @property
    def agreeing(self) -> bool:
        return self.data.get("decision") in ("agree", "agree-confirmed")

    @property
    def confirmed(self) -> bool:
        return self.data.get("decision") == "agree-confirmed"

    def clean(self):
        data = super().clean()
        chosen = self.returns()
        if self.agreeing:
            # Agreeing locks the case: a ticked return must never be dropped without a word.
            if chosen:
                codes = ", ".join(q.code for q in chosen)
                raise forms.ValidationError(
                    f"You cannot agree the case while questions are ticked to return ({codes}). "
                    "Untick them to agree, or return them to the inspector",
                    code="agree_with_returns",
                )
            return data
        if not chosen:
            raise forms.ValidationError("Select at least one question to return, with a reason")
        for question, reason in chosen.items():
            if not reason.strip():
                self.add_error(
                    f"{field_prefix(question)}-reason",
                    f"Enter a reason for returning {question.code}",
                )
        return data

    def returns(self) -> dict[Question, str]:
        data = getattr(self, "cleaned_data", {})
        return {
            q: data.get(f"{field_prefix(q)}-reason") or ""
            for q in self.questions
            if data.get(f"{field_prefix(q)}-return")
        }

    def rows(self):
        for question in self.questions:
            prefix = field_prefix(question)
            yield {
                "question": question,
                "ret": self[f"{prefix}-return"],
                "reason": self[f"{prefix}-reason"],
            }


class ReopenForm(GovForm):
    reason = forms.CharField(
        label="Why does this case need to be reopened?", widget=forms.Textarea, max_length=2000
    )
    submit_label = "Reopen case"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The label is a question, so the generated "Enter why does..." would read badly.
        self.fields["reason"].error_messages["required"] = "Enter the reason for reopening the case"


class RestNotApplicableForm(GovForm):
    """Confirming that the rest of a step does not apply (a note when key questions are left)."""

    note = forms.CharField(
        label="Why does the rest of this step not apply?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX,
        required=False,
    )
    submit_label = "Yes, answer them Not applicable"

    def __init__(self, *args, needs_note: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_note = needs_note
        self.fields["note"].error_messages["max_length"] = (
            f"The reason must be {NOTE_MAX} characters or fewer"
        )
        if needs_note:
            self.fields["note"].help_text = (
                "Key questions need an evidence note: this reason is saved as the note of "
                "each question answered this way."
            )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if self.needs_note and not note:
            raise forms.ValidationError("Enter why the rest of this step does not apply")
        return note


class QaShareForm(GovForm):
    percent = forms.IntegerField(
        label="Share of cases to select (per cent)",
        min_value=1,
        max_value=100,
        initial=20,
        error_messages={
            "min_value": "Share must be at least 1 per cent",
            "max_value": "Share must be 100 per cent or less",
            "invalid": "Share must be a whole number, like 20",
        },
    )
    seed = forms.IntegerField(
        label="Random seed",
        min_value=0,
        initial=1,
        help_text="The same seed always selects the same cases, so the selection can be checked.",
        error_messages={"invalid": "Random seed must be a whole number"},
    )
    submit_label = "Select cases"


class OrganisationRatingForm(GovForm):
    rating = forms.ChoiceField(
        label="Rating", choices=OrganisationRating.Rating.choices, widget=forms.RadioSelect
    )
    narrative = forms.CharField(label="Narrative", widget=forms.Textarea, max_length=20000)
    evidence = forms.CharField(
        label="Evidence (interviews, surveys, documents)",
        widget=forms.Textarea,
        required=False,
        max_length=20000,
    )
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    submit_label = "Save rating"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required_messages(self)

    def clean(self):
        data = super().clean()
        if "version" in self.errors:
            # The version is hidden, and the error summary lists only the fields shown.
            del self.errors["version"]
            self.add_error(
                None,
                "The version of the rating sent with the form is not valid: reload the page "
                "and make your change again",
            )
        return data


class FilterTags:
    """Each active filter of a GET filter form, with the address that removes it."""

    def chosen(self) -> list[str]:
        return self.cleaned_data.get("show", []) if self.is_valid() else []

    def tags(self, request) -> list[tuple[str, str]]:
        labels = dict(self.SHOW)
        tags = []
        for value in self.chosen():
            rest = [v for v in self.chosen() if v != value]
            query = "&".join(f"show={v}" for v in rest)
            tags.append((labels[value], f"{request.path}{'?' + query if query else ''}"))
        return tags


class HistoryFilterForm(FilterTags, forms.Form):
    """Which kinds of change the history shows (GET); none chosen shows every kind."""

    SHOW = HISTORY_KINDS
    show = forms.MultipleChoiceField(
        label="Show", choices=SHOW, required=False, widget=forms.CheckboxSelectMultiple
    )


class QaFilterForm(FilterTags, forms.Form):
    """What the quality assurance page shows: every answer, or only some (GET)."""

    SHOW = (
        ("no", "Only answers of No"),
        ("key", "Only key questions"),
        ("returned", "Only questions returned before"),
    )
    show = forms.MultipleChoiceField(
        label="Show", choices=SHOW, required=False, widget=forms.CheckboxSelectMultiple
    )

    def keeps(self, row: dict) -> bool:
        chosen = self.chosen()
        answer = row["answer"]
        if "no" in chosen and not (answer and answer.value == AnswerValue.NO):
            return False
        if "key" in chosen and not row["question"].is_key_question:
            return False
        return not ("returned" in chosen and not row["returned_before"])
