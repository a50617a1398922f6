"""Forms for a case and each part of its file (the fields of each part are declared in
casefiles.parts)."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from inspection.formtools import GovForm, GovModelFormBase

from . import models, parts
from .choices import RequirementType, SampleType


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


class CaseFilterForm(GovForm):
    """The case list's filters; every field optional, bad values ignored with a message."""

    sample_type = forms.ChoiceField(
        label="Sample", required=False, choices=[("", "All samples"), *SampleType.choices]
    )
    organisation = forms.ChoiceField(label="Organisation", required=False)
    inspector = forms.ChoiceField(label="Inspector", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *models.Case.Status.choices]
    )

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        # A GET form: no CSRF token, which would otherwise end up in addresses and page links.
        self.helper.form_method = "get"
        self.fields["organisation"].choices = [("", "All organisations")] + [
            (o.slug, o.name) for o in inspection.organisations.all()
        ]
        self.fields["inspector"].choices = [("", "Anyone"), ("none", "Not assigned")] + [
            (str(m.user.username), str(m.user))
            for m in inspection.memberships.select_related("user")
            if m.role in {"lead", "inspector", "partner"}
        ]

    def filter_qs(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["sample_type"]:
            queryset = queryset.filter(sample_type=data["sample_type"])
        if data["organisation"]:
            queryset = queryset.filter(organisation__slug=data["organisation"])
        if data["inspector"] == "none":
            queryset = queryset.filter(inspector__isnull=True)
        elif data["inspector"]:
            queryset = queryset.filter(inspector__username=data["inspector"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        return queryset
