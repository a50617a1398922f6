"""Forms for drawing the sample. Each names its field in every message."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django import forms

from casefiles.choices import SampleType
from inspection.formtools import GovForm

# Far above any list of eligible cases (a few hundred rows are a few tens of kilobytes);
# the row limit in casefiles.sampling.population stops a wrong file that is smaller than this.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

CONFIDENCE_CHOICES = [
    ("0.8", "80%"),
    ("0.85", "85%"),
    ("0.9", "90%"),
    ("0.95", "95%"),
    ("0.99", "99%"),
]

MAX_WINDOW_MONTHS = 60
MAX_SEED = 999_999_999_999


class PopulationUploadForm(GovForm):
    submit_label = "Upload and check"

    file = forms.FileField(
        label="File of eligible cases",
        help_text="A CSV (.csv) or Excel workbook (.xlsx) with one row for each eligible case.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages.update(
            {
                "required": "Select the file of eligible cases",
                "empty": "The selected file is empty",
                "invalid": "Select the file of eligible cases",
            }
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file of eligible cases must be smaller than 10 MB: check that it is the "
                "list of eligible cases and not a whole caseload"
            )
        return upload


class WindowsForm(GovForm):
    """Months before fieldwork for each sample type; both empty means no window."""

    submit_label = "Save windows"

    def __init__(self, *args, sample_types: list[str], windows: dict, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SampleType.choices)
        self.sample_types = sample_types
        for kind in sample_types:
            label = labels[kind]
            months = windows.get(kind)
            for end, words, index in (("from", "at least", 0), ("to", "at most", 1)):
                field = forms.IntegerField(
                    label=f"{label}: started {words} this many months before fieldwork",
                    required=False,
                    min_value=0,
                    max_value=MAX_WINDOW_MONTHS,
                    initial=months[index] if months else None,
                )
                name = f"{label} window"
                field.error_messages.update(
                    {
                        "invalid": f"{name}: enter a whole number of months",
                        "min_value": f"{name}: months must be 0 or more",
                        "max_value": f"{name}: months must be {MAX_WINDOW_MONTHS} or fewer",
                    }
                )
                self.fields[f"{kind}_{end}"] = field
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        labels = dict(SampleType.choices)
        for kind in self.sample_types:
            low, high = data.get(f"{kind}_from"), data.get(f"{kind}_to")
            if f"{kind}_from" in self.errors or f"{kind}_to" in self.errors:
                continue
            name = f"{labels[kind]} window"
            if (low is None) != (high is None):
                missing = f"{kind}_to" if high is None else f"{kind}_from"
                self.add_error(
                    missing,
                    f"{name}: enter both numbers of months, or leave both empty for no window",
                )
            elif low is not None and high is not None and high < low:
                self.add_error(
                    f"{kind}_to",
                    f"{name}: 'at most' must be the same as or more than 'at least' ({low})",
                )
        return data

    def windows(self) -> dict[str, tuple[int, int]]:
        data = self.cleaned_data
        return {
            kind: (data[f"{kind}_from"], data[f"{kind}_to"])
            for kind in self.sample_types
            if data.get(f"{kind}_from") is not None
        }


class PrecisionForm(GovForm):
    submit_label = "Save"

    confidence = forms.TypedChoiceField(
        label="Confidence level",
        choices=CONFIDENCE_CHOICES,
        coerce=Decimal,
        widget=forms.RadioSelect,
    )
    margin = forms.DecimalField(
        label="Margin of error (percentage points)",
        min_value=Decimal("0.5"),
        max_value=Decimal("25"),
        max_digits=4,
        decimal_places=1,
        help_text="For example, 5 for plus or minus 5 percentage points.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        margin = self.fields["margin"]
        margin.widget.attrs.update({"inputmode": "decimal", "step": "0.1"})
        margin.error_messages.update(
            {
                "required": "Enter the margin of error",
                "invalid": "Margin of error must be a number, like 5",
                "min_value": "Margin of error must be 0.5 or more",
                "max_value": "Margin of error must be 25 or less",
                "max_decimal_places": "Margin of error must have no more than 1 decimal place",
                "max_digits": "Margin of error must be 25 or less",
            }
        )


class SizeOverrideForm(GovForm):
    submit_label = "Save sample size"

    size = forms.IntegerField(label="Sample size", required=False, min_value=1)
    reason = forms.CharField(
        label="Reason for this sample size",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Kept with the sample, so the report can explain it.",
    )

    def __init__(self, *args, eligible: int, calculated: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.eligible = eligible
        size = self.fields["size"]
        size.help_text = (
            f"The calculated size is {calculated} from {eligible} eligible cases. "
            "Leave this empty to use the calculated size."
        )
        size.error_messages.update(
            {
                "invalid": "Sample size must be a whole number, like 31",
                "min_value": "Sample size must be 1 or more",
            }
        )
        self.fields["reason"].error_messages.update(
            {
                "required": "Enter the reason for this sample size",
                "max_length": "The reason must be 1000 characters or fewer",
            }
        )

    def clean_size(self):
        size = self.cleaned_data["size"]
        if size is not None and size > self.eligible:
            raise forms.ValidationError(
                f"Sample size must be no more than the {self.eligible} eligible cases"
            )
        return size

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for this sample size")
        return reason


class DrawForm(GovForm):
    submit_label = "Draw the sample"

    seed = forms.IntegerField(
        label="Seed",
        min_value=0,
        max_value=MAX_SEED,
        help_text=(
            "A whole number that fixes the random choice. It is kept with the sample: "
            "the same seed and the same file always draw the same cases. Keep the "
            "suggested number or enter another."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        seed = self.fields["seed"]
        seed.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        seed.error_messages.update(
            {
                "required": "Enter the seed",
                "invalid": "Seed must be a whole number, like 2018",
                "min_value": "Seed must be 0 or more",
                "max_value": f"Seed must be {MAX_SEED:,} or less",
            }
        )
        if not self.is_bound:
            self.initial.setdefault("seed", secrets.randbelow(1_000_000))


class ReplaceForm(GovForm):
    submit_label = "Replace the case"

    reason = forms.CharField(
        label="Why is the case being replaced?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=("For example, the case was transferred to another area. Kept with the sample."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages.update(
            {
                "required": "Enter why the case is being replaced",
                "max_length": "The reason must be 1000 characters or fewer",
            }
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the case is being replaced")
        return reason
