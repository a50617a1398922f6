"""Forms for a case and each part of its file (the fields of each part are declared in
casefiles.parts)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from inspection.formtools import GovModelFormBase

from . import models, parts
from .choices import RequirementType


class CaseFileForm(GovModelFormBase):
    """A form for a case or a part of its file, with the version it shows and, when the
    case is submitted, the reason for the change (casefiles.services)."""

    def __init__(self, *args, needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.IntegerField(
            required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput
        )
        if self.instance.pk:
            self.initial["version"] = self.instance.version
        if needs_reason:
            self.fields["reason"] = forms.CharField(
                label="Reason for changing a submitted case",
                help_text="The case is submitted: say why its file needs changing. The reason "
                "is kept in the case's history.",
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "required": "Enter the reason for changing a submitted case",
                    "max_length": "Reason must be 1000 characters or fewer",
                },
            )
        # The layout is built from the fields when the form is made: rebuild it with these.
        self.helper.layout = self.helper.build_default_layout(self)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:
            # The version is hidden, and the error summary lists only the fields shown.
            del self.errors["version"]
            raise ValidationError(
                "The version sent with the form is not valid: reload the page and make the "
                "change again"
            )
        return cleaned

    @property
    def seen_version(self) -> int | None:
        """The version the form showed; None for a new case or part, or when none was sent.

        The pages always send it. Without one (a script, an old page) the save is not
        checked for a stale copy, as answers saved without a version are not.
        """
        if not self.instance.pk:
            return None
        return self.cleaned_data.get("version")

    @property
    def reason(self) -> str:
        return self.cleaned_data.get("reason", "") or ""


class CaseForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.Case
        fields = [
            "reference",
            "organisation",
            "sample_type",
            "subject_kind",
            "subject_name",
            "gender",
            "ethnicity",
            "date_of_birth",
            "risk_of_serious_harm",
            "safety_and_wellbeing",
            "mappa_level",
            "main_source_of_risk",
            "case_manager",
        ]

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.instance.inspection = inspection
        self.fields["organisation"].queryset = inspection.organisations.all()
        self.fields["organisation"].widget = forms.RadioSelect(
            choices=self.fields["organisation"].choices
        )
        # Only the samples the inspection's framework draws (its file says which).
        drawn = set(inspection.framework.sample_types or ())
        if drawn:
            self.fields["sample_type"].choices = [
                (value, label)
                for value, label in self.fields["sample_type"].choices
                if value in drawn or value == "" or value == self.instance.sample_type
            ]

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > date.today():  # noqa: DTZ011
            raise ValidationError("Date of birth must be today or in the past")
        return value

    def clean_reference(self):
        value = self.cleaned_data["reference"].strip()
        clash = models.Case.objects.filter(inspection=self.inspection, reference=value)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("Case reference is already used in this inspection")
        return value

    def validate_unique(self):
        # Uniqueness within the inspection is checked in clean_reference with a clearer message.
        pass


class CaseAddForm(CaseForm):
    """A case the lead adds by hand: outside the sample draw, so the reason is required and
    the case is marked wherever the sample is described."""

    class Meta(CaseForm.Meta):
        fields = [*CaseForm.Meta.fields, "added_reason"]
        labels = {"added_reason": "Why is this case added outside the sample draw?"}
        help_texts = {
            "added_reason": "For example, a case the service raised with the inspectors. "
            "The reason is shown wherever the sample is described, the report's "
            "methodology included."
        }
        widgets = {"added_reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.added_outside_draw = True
        reason = self.fields["added_reason"]
        reason.required = True
        reason.max_length = 1000
        reason.error_messages.update(
            {
                "required": "Enter why the case is added outside the sample draw",
                "max_length": "The reason must be 1000 characters or fewer",
            }
        )

    def clean_added_reason(self):
        reason = self.cleaned_data["added_reason"].strip()
        if not reason:
            raise ValidationError("Enter why the case is added outside the sample draw")
        if len(reason) > 1000:
            raise ValidationError("The reason must be 1000 characters or fewer")
        return reason


class OrderForm(CaseFileForm):
    requirements = forms.MultipleChoiceField(
        label="Requirements",
        choices=RequirementType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta(GovModelFormBase.Meta):
        model = models.Order
        fields = list(parts.ORDERS.fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["requirements"] = list(
                self.instance.requirements.values_list("requirement_type", flat=True)
            )

    def clean(self):
        data = super().clean()
        _dates_in_order(
            self, "start_date", "end_date", "End date must be on or after the start date"
        )
        return data


class ChildForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.LinkedChild
        fields = list(parts.CHILDREN.fields)

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > date.today():  # noqa: DTZ011
            raise ValidationError("Date of birth must be today or in the past")
        return value


class PlanForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.ChildProtectionPlan
        fields = list(parts.PLANS.fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = models.LinkedChild.objects.filter(case=self.instance.case)
        self.fields["child"].required = False

    def clean(self):
        data = super().clean()
        _dates_in_order(
            self, "start_date", "end_date", "End date must be on or after the start date"
        )
        return data


class ReferralForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.Referral
        fields = list(parts.REFERRALS.fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = models.LinkedChild.objects.filter(case=self.instance.case)
        self.fields["child"].required = False

    def clean(self):
        data = super().clean()
        _dates_in_order(
            self,
            "referral_date",
            "response_date",
            "Response date must be on or after the referral date",
        )
        return data


class CheckForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.AgencyCheck
        fields = list(parts.CHECKS.fields)

    def clean(self):
        data = super().clean()
        _dates_in_order(
            self,
            "requested_date",
            "response_date",
            "Response date must be on or after the date the check was made",
        )
        return data


class MeetingForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.Meeting
        fields = list(parts.MEETINGS.fields)

    def clean(self):
        data = super().clean()
        if not data.get("invited") and data.get("invitation_timely") is not None:
            self.add_error("invitation_timely", "Invitation timely can only be answered if invited")
        return data


class VisitForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.HomeVisit
        fields = list(parts.VISITS.fields)


class InterviewForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.Interview
        fields = list(parts.INTERVIEWS.fields)
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        time = self.fields["time"]
        time.help_text = "24-hour clock, for example 14:30"
        time.widget.attrs.update({"inputmode": "numeric", "class": "govuk-input--width-5"})
        self.fields["held"].label = "Was the interview held?"
        self.fields["not_held_reason"].help_text = "Only if it was not held"

    def clean_time(self):
        value = (self.cleaned_data.get("time") or "").strip()
        if not value:
            return ""
        hours, _, minutes = value.replace(".", ":").partition(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            raise ValidationError("Time must be a time of day, like 14:30")
        if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
            raise ValidationError("Time must be a real time of day, like 14:30")
        return f"{int(hours):02}:{minutes}"

    def clean(self):
        data = super().clean()
        held, reason = data.get("held"), (data.get("not_held_reason") or "").strip()
        if held is False and not reason:
            self.add_error("not_held_reason", "Enter why the interview was not held")
        elif held is not False and reason:
            self.add_error(
                "not_held_reason",
                "Why it was not held can only be given if the interview was not held",
            )
        return data


def _dates_in_order(form: forms.BaseForm, first: str, second: str, message: str) -> None:
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if start and end and end < start:
        form.add_error(second, message)
