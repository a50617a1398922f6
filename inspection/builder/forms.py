"""The framework builder's forms: GOV.UK fields whose messages name the field."""

import json
import re

from django import forms

from ..formtools import GovForm
from ..models import Framework, Organisation
from ..services import SCHEMA_PATH

_SCHEMA = json.loads(SCHEMA_PATH.read_text())
SAMPLE_LABELS = {
    "new_order": "New order or licence",
    "cp_plan": "Child protection plan",
    "referral": "Referral to children's social care",
    "court_disposal": "Court disposal",
    "out_of_court": "Out-of-court disposal",
    "resettlement": "Resettlement",
    "victim": "Victim",
}
SAMPLE_CHOICES = [(v, SAMPLE_LABELS.get(v, v)) for v in _SCHEMA["$defs"]["sample_type"]["enum"]]
CASE_FACT_CHOICES = [(v, v.capitalize()) for v in _SCHEMA["$defs"]["case_fact"]["enum"]]
KIND_CHOICES = list(Organisation.Kind.choices)
CODE = re.compile(r"^[0-9a-z.]{1,20}$")
MAX_TEXT = 5000


def _code_field(label: str, hint: str, max_length: int = 20) -> forms.CharField:
    return forms.CharField(label=label, help_text=hint, max_length=max_length)


class StartForm(GovForm):
    submit_label = "Start the draft"
    source = forms.ChoiceField(label="Start from", required=False)
    slug = forms.SlugField(
        label="Framework identifier",
        required=False,
        max_length=50,
        help_text="Only for a framework started from nothing: lower-case words joined by hyphens",
    )
    name = forms.CharField(label="Name", max_length=200)
    version = forms.CharField(label="Version", max_length=20, help_text="For example, 2026")

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.frameworks = {f"{f.slug}/{f.version}": f for f in frameworks}
        self.fields["source"].choices = [("", "Nothing: an empty framework")] + [
            (key, f"{f} – {f.get_status_display().lower()}") for key, f in self.frameworks.items()
        ]

    def clean_version(self):
        version = self.cleaned_data["version"]
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-]*", version):
            raise forms.ValidationError(
                "Version must be letters, numbers, dots or hyphens, "
                "starting with a letter or number"
            )
        return version

    def clean(self):
        data = super().clean()
        source = self.frameworks.get(data.get("source") or "")
        data["source_framework"] = source
        slug = source.slug if source else data.get("slug")
        if not source and not slug and "slug" not in self.errors:
            self.add_error(
                "slug", "Enter the framework identifier for a framework started from nothing"
            )
        version = data.get("version")
        if slug and version and Framework.objects.filter(slug=slug, version=version).exists():
            self.add_error(
                "version", f"Version {version} already exists: give the draft a new version"
            )
        return data


class ImportForm(GovForm):
    submit_label = "Import as a draft"
    file = forms.FileField(label="Framework file (JSON)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2_000_000:
            raise forms.ValidationError("The framework file must be smaller than 2 MB")
        return upload


def _json_field(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=hint, widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_TEXT
    )


class DetailsForm(GovForm):
    """The framework's name, its samples and its rules (bands, scores, thresholds, minimums)."""

    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    source = forms.CharField(
        label="Source", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    sample_types = forms.MultipleChoiceField(
        label="Samples the framework draws",
        choices=SAMPLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rating_bands = _json_field(
        "Rating bands (JSON)",
        'Best first, each {"rating": ..., "min_percent": ...}; the last starts at 0',
    )
    rating_scores = _json_field(
        "Rating scores (JSON)", "The score of each rating in the overall sum"
    )
    overall_thresholds = _json_field(
        "Overall thresholds (JSON)",
        'Best first, each {"rating": ..., "above_per_standard": ...} or '
        '{"rating": ..., "above": ...}; '
        "the last row's limit is null",
    )
    minimum_key_question = forms.IntegerField(
        label="Fewest applicable cases for a key question to be rated", min_value=1, max_value=10000
    )
    minimum_standard = forms.IntegerField(
        label="Fewest applicable cases for a standard to be rated", min_value=1, max_value=10000
    )
    minimum_overall = forms.IntegerField(
        label="Fewest counted cases for an overall rating", min_value=1, max_value=10000
    )
    small_below = forms.IntegerField(
        label="Leave an organisation unrated when its sample has fewer cases than",
        help_text="Leave empty to rate every organisation",
        min_value=1,
        max_value=10000,
        required=False,
    )

    def _json(self, name, kind):
        try:
            value = json.loads(self.cleaned_data[name])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"{self.fields[name].label} is not valid JSON ({error.msg})"
            ) from error
        if not isinstance(value, kind):
            what = "a list" if kind is list else "an object"
            raise forms.ValidationError(f"{self.fields[name].label} must be {what}")
        return value

    def clean_rating_bands(self):
        return self._json("rating_bands", list)

    def clean_rating_scores(self):
        return self._json("rating_scores", dict)

    def clean_overall_thresholds(self):
        return self._json("overall_thresholds", list)

    @classmethod
    def initial_for(cls, framework: Framework) -> dict:
        options = framework.rating_options or {}
        minimum = options.get("minimum_cases") or {}
        small = options.get("small_organisation") or {}
        return {
            "name": framework.name,
            "description": framework.description,
            "source": framework.source,
            "sample_types": list(framework.sample_types),
            "rating_bands": json.dumps(framework.rating_bands, indent=1),
            "rating_scores": json.dumps(framework.rating_scores, indent=1),
            "overall_thresholds": json.dumps(framework.overall_thresholds, indent=1),
            "minimum_key_question": minimum.get("key_question", 1),
            "minimum_standard": minimum.get("standard", 1),
            "minimum_overall": minimum.get("overall", 1),
            "small_below": small.get("unrated_below_cases"),
        }

    def values(self) -> dict:
        data = self.cleaned_data
        small = data["small_below"]
        return {
            "name": data["name"],
            "description": data["description"],
            "source": data["source"],
            "sample_types": data["sample_types"],
            "rating_bands": data["rating_bands"],
            "rating_scores": data["rating_scores"],
            "overall_thresholds": data["overall_thresholds"],
            "rating_options": {
                "minimum_cases": {
                    "key_question": data["minimum_key_question"],
                    "standard": data["minimum_standard"],
                    "overall": data["minimum_overall"],
                },
                "small_organisation": {"unrated_below_cases": small} if small else None,
            },
        }


class ItemForm(GovForm):
    """A domain, standard or question of a draft; a code used by another is refused."""

    kind = ""

    def __init__(self, *args, framework: Framework, item=None, **kwargs):
        self.framework = framework
        self.item = item
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not CODE.fullmatch(code):
            raise forms.ValidationError(
                "Code must be numbers and lower-case letters joined by dots"
            )
        from .services import KINDS

        model = KINDS[self.kind]
        taken = model.objects.filter(framework=self.framework, code=code)
        if self.item is not None:
            taken = taken.exclude(pk=self.item.pk)
        if taken.exists():
            raise forms.ValidationError(f"Code {code} is already used by another {self.kind}")
        return code


class DomainForm(ItemForm):
    kind = "domain"
    code = _code_field("Code", "A number, for example 2", max_length=10)
    title = forms.CharField(label="Title", max_length=200)

    def values(self) -> dict:
        return {"code": self.cleaned_data["code"], "title": self.cleaned_data["title"]}


class StandardForm(ItemForm):
    kind = "standard"
    domain = forms.ChoiceField(label="Domain")
    code = _code_field(
        "Code", "The domain's number, a dot and a number, for example 2.1", max_length=10
    )
    title = forms.CharField(label="Title", max_length=200)
    statement = forms.CharField(
        label="Statement", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    judged_by = forms.ChoiceField(
        label="Judged by", choices=Framework.JudgedBy.choices, widget=forms.RadioSelect
    )
    counts_toward_overall = forms.TypedChoiceField(
        label="Does it count toward the overall rating?",
        choices=[("yes", "Yes"), ("no", "No, it is rated separately")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    source = forms.CharField(label="Source reference", max_length=200, required=False)
    case_facts = forms.MultipleChoiceField(
        label="Parts of the case file shown beside it",
        choices=CASE_FACT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = {d.code: d for d in self.framework.domains.all()}
        self.fields["domain"].choices = [(c, str(d)) for c, d in self.domains.items()]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["domain"] = self.domains[data["domain"]]
        return data


class QuestionForm(ItemForm):
    kind = "question"
    key_question = forms.ChoiceField(
        label="Is it a prompt under a key question?",
        required=False,
        help_text="Leave as 'A key question' for a key question",
    )
    standard = forms.ChoiceField(label="Standard", help_text="For a prompt, its key question's")
    code = _code_field("Code", "For example 2.1.1 for a key question, 2.1.1.a for a prompt")
    text = forms.CharField(
        label="Question text", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    source = forms.CharField(label="Source reference", max_length=200)
    guidance = forms.CharField(
        label="Guidance for inspectors (optional)",
        help_text="What to look for; shown under the question on the step page",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        required=False,
    )
    applies_to = forms.MultipleChoiceField(
        label="Samples it applies to",
        choices=SAMPLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    organisation_kinds = forms.MultipleChoiceField(
        label="Kinds of organisation that answer it",
        help_text="None ticked: every kind",
        choices=KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.standards = {s.code: s for s in self.framework.standards.all()}
        self.key_questions = {
            q.code: q
            for q in self.framework.questions.filter(parent=None)
            if self.item is None or q.pk != self.item.pk
        }
        self.fields["standard"].choices = [(c, str(s)) for c, s in self.standards.items()]
        self.fields["key_question"].choices = [("", "A key question")] + [
            (c, f"Prompt under {c}") for c in self.key_questions
        ]
        if self.item is not None and self.item.prompts.exists():
            # A key question with prompts stays one.
            self.fields["key_question"].choices = [("", "A key question")]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        parent = self.key_questions.get(data.pop("key_question") or "")
        data["parent"] = parent
        data["standard"] = parent.standard if parent else self.standards[data["standard"]]
        return data
