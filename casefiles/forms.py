"""Forms for a case and each part of its file (the fields of each part are declared in
casefiles.parts)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from inspection.formtools import GovModelFormBase

from . import models, parts
from .choices import RequirementType


class CaseForm(GovModelFormBase):
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


class OrderForm(GovModelFormBase):
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


class ChildForm(GovModelFormBase):
    class Meta(GovModelFormBase.Meta):
        model = models.LinkedChild
        fields = list(parts.CHILDREN.fields)

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > date.today():  # noqa: DTZ011
            raise ValidationError("Date of birth must be today or in the past")
        return value


class PlanForm(GovModelFormBase):
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


class ReferralForm(GovModelFormBase):
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


class CheckForm(GovModelFormBase):
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


class MeetingForm(GovModelFormBase):
    class Meta(GovModelFormBase.Meta):
        model = models.Meeting
        fields = list(parts.MEETINGS.fields)

    def clean(self):
        data = super().clean()
        if not data.get("invited") and data.get("invitation_timely") is not None:
            self.add_error("invitation_timely", "Invitation timely can only be answered if invited")
        return data


class VisitForm(GovModelFormBase):
    class Meta(GovModelFormBase.Meta):
        model = models.HomeVisit
        fields = list(parts.VISITS.fields)


def _dates_in_order(form: forms.BaseForm, first: str, second: str, message: str) -> None:
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if start and end and end < start:
        form.add_error(second, message)


