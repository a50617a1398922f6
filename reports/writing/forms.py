"""Forms for writing the report. They validate and convert; writing.services does the saving."""

from django import forms

from casefiles.models import Case
from inspection.formtools import GovForm
from inspection.models import Standard

LONG = 20000
ONE_PER_LINE = "Put each one on its own line. They are printed as a bulleted list."
NAMES_CHANGED = (
    "Names of people in the case files are changed in the printed report; "
    "check before publication lists any that are still here."
)


def _textarea(rows: int = 8) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReportForm(GovForm):
    """A GOV.UK form whose "required" messages say exactly what is missing."""

    required_messages: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message


class ForewordForm(ReportForm):
    foreword = forms.CharField(
        label="Foreword",
        widget=_textarea(12),
        max_length=LONG,
        help_text="Leave a blank line between paragraphs.",
    )
    submit_label = "Save foreword"
    required_messages = {"foreword": "Enter the foreword"}


class DomainFindingsForm(ReportForm):
    key_findings = forms.CharField(
        label="Key findings", widget=_textarea(10), max_length=LONG, help_text=ONE_PER_LINE
    )
    submit_label = "Save key findings"
    required_messages = {"key_findings": "Enter at least one key finding"}


class StandardTextForm(ReportForm):
    narrative = forms.CharField(
        label="Narrative",
        widget=_textarea(14),
        max_length=LONG,
        help_text="Leave a blank line between paragraphs. " + NAMES_CHANGED,
    )
    strengths = forms.CharField(
        label="Strengths",
        widget=_textarea(5),
        max_length=LONG,
        required=False,
        help_text=ONE_PER_LINE,
    )
    areas_for_improvement = forms.CharField(
        label="Areas for improvement",
        widget=_textarea(5),
        max_length=LONG,
        required=False,
        help_text=ONE_PER_LINE,
    )
    submit_label = "Save standard"
    required_messages = {"narrative": "Enter the narrative for this standard"}


class RecommendationForm(ReportForm):
    addressed_to = forms.CharField(
        label="Who should act on it",
        max_length=200,
        help_text=(
            "The body the recommendation is addressed to, as it should be printed before "
            "\u201cshould:\u201d. For example, Barking and Dagenham YOS, The YOS Management "
            "Board, The Director of Children\u2019s Services or The Youth Justice Board."
        ),
    )
    text = forms.CharField(
        label="Recommendation",
        widget=_textarea(5),
        max_length=5000,
        help_text="What they should do, starting with a verb: \u201cmake sure that ...\u201d.",
    )
    submit_label = "Save recommendation"
    required_messages = {
        "addressed_to": "Enter who should act on the recommendation",
        "text": "Enter the recommendation",
    }


class KeyFactForm(ReportForm):
    label = forms.CharField(
        label="What the figure is",
        max_length=200,
        help_text="For example, First-time entrant rate per 100,000.",
    )
    value = forms.CharField(label="Figure", max_length=60, help_text="For example, 554.")
    comparison = forms.CharField(
        label="Compared with (optional)",
        max_length=200,
        required=False,
        help_text="For example, 301 average for England and Wales.",
    )
    source = forms.CharField(
        label="Source (optional)",
        max_length=300,
        required=False,
        help_text="For example, Youth Justice Board, October 2016 to September 2017.",
    )
    submit_label = "Save key fact"
    required_messages = {"label": "Enter what the figure is", "value": "Enter the figure"}


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, case: Case) -> str:
        return f"{case.reference} ({case.get_sample_type_display().lower()})"


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, standard: Standard) -> str:
        return f"{standard.code} {standard.title}"


class PracticeExampleForm(ReportForm):
    case = CaseChoiceField(
        label="Case it quotes",
        queryset=Case.objects.none(),
        empty_label="Select a case",
        help_text="The case reference is kept with the example; it is not printed.",
    )
    standard = StandardChoiceField(
        label="Standard it illustrates (optional)",
        queryset=Standard.objects.none(),
        required=False,
        empty_label="None: print it with the other practice examples",
    )
    title = forms.CharField(label="Title", max_length=200)
    quote = forms.CharField(
        label="Practice example",
        widget=_textarea(8),
        max_length=LONG,
        help_text="What the inspector found in the case, in their words. " + NAMES_CHANGED,
    )
    submit_label = "Save practice example"
    required_messages = {
        "case": "Select the case the example quotes",
        "title": "Enter a title for the practice example",
        "quote": "Enter the practice example",
    }

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = Case.objects.filter(inspection=inspection).order_by(
            "reference"
        )
        self.fields["standard"].queryset = Standard.objects.filter(
            framework=inspection.framework
        ).order_by("position")
        self.fields["case"].error_messages["invalid_choice"] = (
            "Select one of this inspection's cases"
        )
        self.fields["standard"].error_messages["invalid_choice"] = (
            "Select one of this inspection's standards"
        )
