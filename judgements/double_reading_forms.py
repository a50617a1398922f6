"""Forms for blind double scoring: selecting cases for a second reading, and reconciling."""

from django import forms

from inspection.formtools import GovForm

from .forms import NOTE_MAX, QaShareForm
from .models import AnswerValue
from .services import Agreed


class SecondReadingForm(GovForm):
    """The lead picks a case and the inspector who reads it a second time."""

    case = forms.ChoiceField(label="Case", error_messages={"invalid_choice": "Select a case"})
    reader = forms.ChoiceField(
        label="Second reader", error_messages={"invalid_choice": "Select a second reader"}
    )
    submit_label = "Select for a second reading"

    def __init__(self, *args, cases, readers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", "Choose a case")] + [
            (str(c.public_id), f"{c.reference} ({c.inspector or 'not assigned'})") for c in cases
        ]
        self.fields["reader"].choices = [("", "Choose an inspector")] + [
            (u.username, str(u)) for u in readers
        ]


class SecondShareForm(QaShareForm):
    submit_label = "Select cases for a second reading"


class ReconcileForm(forms.Form):
    """One agreed answer and its note for each question where the two readings differ."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            if not row.differs:
                continue
            code = row.question.code
            self.fields[f"q{row.question.pk}-value"] = forms.ChoiceField(
                label=f"Agreed answer to {code}",
                choices=AnswerValue.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select the agreed answer for {code}",
                    "invalid_choice": f"Select the agreed answer for {code}",
                },
            )
            self.fields[f"q{row.question.pk}-note"] = forms.CharField(
                label=f"Note on the agreed answer to {code}",
                widget=forms.Textarea,
                max_length=NOTE_MAX,
                error_messages={
                    "required": f"Enter a note on the agreed answer to {code}: the readings differ",
                    "max_length": f"The note on {code} must be {NOTE_MAX} characters or fewer",
                    "null_characters_not_allowed": (
                        f"The note on {code} must not contain null characters"
                    ),
                },
            )

    def bound_rows(self):
        """Each row with its two fields (None where the readings agree)."""
        for row in self.rows:
            if row.differs:
                yield row, self[f"q{row.question.pk}-value"], self[f"q{row.question.pk}-note"]
            else:
                yield row, None, None

    def agreed(self) -> dict[int, Agreed]:
        return {
            row.question.pk: Agreed(
                value=self.cleaned_data[f"q{row.question.pk}-value"],
                note=self.cleaned_data[f"q{row.question.pk}-note"],
            )
            for row in self.rows
            if row.differs
        }
