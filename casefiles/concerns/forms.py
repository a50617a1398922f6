"""Forms for raising a safeguarding concern and for each step of following it up."""

from django import forms
from django.core.exceptions import ValidationError

from inspection.formtools import DateField, GovForm

from ..choices import ContactMethod
from .models import Concern
from .services import TEXT_MAX, About

SUBJECT = "subject"


def _text_area(label: str, help_text: str = "", *, required: bool = True, rows: int = 5):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ConcernRaiseForm(GovForm):
    submit_label = "Raise the concern"

    about = forms.ChoiceField(label="Who is the concern about", widget=forms.RadioSelect)
    found = _text_area(
        "What was found", "What the case file shows, and what the service has not done."
    )
    why_urgent = _text_area("Why it is urgent", "What could happen to the child, and how soon.")
    urgency = forms.ChoiceField(
        label="How urgent is it",
        choices=Concern.Urgency.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, case, children, personal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.children = {str(child.public_id): child for child in children}
        subject = (
            f"{case.subject_name} (the person supervised)" if personal else "The person supervised"
        )
        choices = [
            (key, child.name if personal else "A linked child")
            for key, child in self.children.items()
        ]
        self.fields["about"].choices = [*choices, (SUBJECT, subject)]

    def about_value(self) -> About:
        key = self.cleaned_data["about"]
        if key == SUBJECT:
            return About(subject=True)
        return About(child=self.children[key])


class VersionedForm(GovForm):
    """A step on a concern, carrying the version of the concern the page showed."""

    version = forms.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:
            del self.errors["version"]
            raise ValidationError("The form is out of date: reload the page and try again")
        return cleaned

    @property
    def seen_version(self) -> int | None:
        return self.cleaned_data.get("version")


class AcknowledgeForm(VersionedForm):
    pass


class ReferralForm(VersionedForm):
    submit_label = "Save the referral"

    organisation = forms.CharField(
        label="Organisation referred to",
        help_text="The service inspected or the local authority's children's social care.",
        max_length=200,
    )
    person = forms.CharField(
        label="Person spoken to or written to", help_text="Name and role.", max_length=200
    )
    referred_on = DateField(label="Date referred")
    method = forms.ChoiceField(
        label="How it was referred", choices=ContactMethod.choices, widget=forms.RadioSelect
    )
    reference = forms.CharField(label="Their reference (optional)", max_length=100, required=False)
    response_due = DateField(
        label="Response due",
        required=False,
        help_text="Leave empty for the default: one working day after the referral for an "
        "immediate concern, two for one within a working day (bank holidays in England and "
        "Wales do not count).",
    )


class ResponseForm(VersionedForm):
    submit_label = "Save the response"

    received_on = DateField(label="Date of the response")
    response = _text_area("The response", "What the service or local authority said or did.")


class CloseForm(VersionedForm):
    submit_label = "Close the concern"

    outcome = forms.ChoiceField(
        label="Outcome", choices=Concern.Outcome.choices, widget=forms.RadioSelect
    )
    note = _text_area("Note on closing (optional)", required=False, rows=3)
