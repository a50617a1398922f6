"""Forms for a case and each part of its file."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from inspection.formtools import GovForm, GovModelFormBase

from . import models
from .choices import RequirementType, SampleType


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


class OrderForm(CaseFileForm):
    requirements = forms.MultipleChoiceField(
        label="Requirements",
        choices=RequirementType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta(GovModelFormBase.Meta):
        model = models.Order
        fields = ["order_type", "start_date", "end_date"]

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
        fields = [
            "name",
            "date_of_birth",
            "address",
            "relationship",
            "lives_with_subject",
            "offender_role",
        ]

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value > date.today():  # noqa: DTZ011
            raise ValidationError("Date of birth must be today or in the past")
        return value


class PlanForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.ChildProtectionPlan
        fields = [
            "child",
            "category",
            "start_date",
            "end_date",
            "initial_conference_date",
            "core_group_established",
        ]

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
        fields = [
            "child",
            "referral_date",
            "method",
            "included_child_details",
            "described_risk",
            "stated_response_wanted",
            "response_date",
            "response_timely",
            "response_satisfactory",
            "followed_up",
            "escalated",
            "notes",
        ]

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
        fields = ["agency", "kind", "requested_date", "response_date", "outcome"]

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
        fields = [
            "kind",
            "meeting_date",
            "invited",
            "invitation_timely",
            "attended",
            "report_submitted",
        ]

    def clean(self):
        data = super().clean()
        if not data.get("invited") and data.get("invitation_timely") is not None:
            self.add_error("invitation_timely", "Invitation timely can only be answered if invited")
        return data


class VisitForm(CaseFileForm):
    class Meta(GovModelFormBase.Meta):
        model = models.HomeVisit
        fields = ["visit_date", "announced", "children_seen", "purpose"]


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


# The parts of a case file, by the name used in addresses: form, model, and what to call one.
PARTS = {
    "orders": (OrderForm, models.Order, "order"),
    "children": (ChildForm, models.LinkedChild, "linked child"),
    "plans": (PlanForm, models.ChildProtectionPlan, "child protection plan"),
    "referrals": (ReferralForm, models.Referral, "referral"),
    "checks": (CheckForm, models.AgencyCheck, "check or notification"),
    "meetings": (MeetingForm, models.Meeting, "meeting"),
    "visits": (VisitForm, models.HomeVisit, "home visit"),
}
