"""The set-up form (create and change an inspection) and the team's form."""

import re

from crispy_forms_gds.layout import Fieldset, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from ..formtools import DateField, GovForm
from ..models import Area, Framework, Inspection, Inspectorate, Membership, Organisation, User
from .services import NewArea, NewOrganisation, SetUp

REFERENCE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Words that are addresses of their own under /inspections/.
RESERVED_REFERENCES = frozenset({"new"})
PARTNERS = [(value, label) for value, label in Inspectorate.choices if value != "hmip"]


class ChecksField(forms.ModelMultipleChoiceField):
    """Checkboxes of model rows; a key no database could hold is refused as not a choice
    (SQLite cannot even look it up), with the field's own message."""

    BIGGEST_KEY = 2**63 - 1

    def _check_values(self, value):
        for key in value:
            text = str(key).strip()
            digits = text.isascii() and text.isdigit() and len(text) <= 19
            if not digits or int(text) > self.BIGGEST_KEY:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": key},
                )
        return super()._check_values(value)


def newest_framework() -> Framework | None:
    """The framework version loaded last: the default for a new inspection."""
    return (
        Framework.objects.filter(status=Framework.Status.PUBLISHED)
        .order_by("-loaded_at", "-pk")
        .first()
    )


class InspectionForm(GovForm):
    title = forms.CharField(label="Title", max_length=200)
    reference = forms.CharField(
        label="Reference",
        max_length=80,
        help_text="Used in addresses: lower-case letters, numbers and hyphens, "
        "for example yos-barking-2026",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="Kind of inspection", choices=Inspection.Kind.choices, widget=forms.RadioSelect
    )
    organisations = ChecksField(
        label="Organisations inspected",
        queryset=Organisation.objects.select_related("area"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select every organisation inspected, or add one below",
    )
    new_organisation_name = forms.CharField(
        label="Name of an organisation not listed", max_length=200, required=False
    )
    new_organisation_kind = forms.ChoiceField(
        label="Kind of the new organisation",
        choices=[("", "Select a kind"), *Organisation.Kind.choices],
        required=False,
    )
    new_organisation_area = forms.ModelChoiceField(
        label="Area of the new organisation",
        queryset=Area.objects.all(),
        required=False,
        empty_label="Select an area, or add one below",
    )
    new_area_name = forms.CharField(
        label="Name of an area not listed (local authority)", max_length=120, required=False
    )
    new_area_police_force = forms.CharField(
        label="Police force area of the new area", max_length=120, required=False
    )
    new_area_region = forms.CharField(
        label="Probation region of the new area", max_length=120, required=False
    )
    framework = forms.ModelChoiceField(
        label="Framework version",
        # Published versions only: a draft is used by no inspection.
        queryset=Framework.objects.filter(status=Framework.Status.PUBLISHED).order_by(
            "name", "-version"
        ),
        empty_label=None,
        help_text="The inspection keeps this version for good",
    )
    fieldwork_start = DateField(label="Fieldwork start", help_text="For example, 16 4 2026")
    fieldwork_end = DateField(label="Fieldwork end", help_text="For example, 27 4 2026")
    partner_inspectorates = forms.MultipleChoiceField(
        label="Partner inspectorates",
        choices=PARTNERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a joint inspection: the inspectorates joining HM Inspectorate of Probation",
    )
    lead = forms.ModelChoiceField(
        label="Lead inspector",
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        empty_label="Select the lead inspector",
    )

    submit_label = "Create the inspection"

    def __init__(self, *args, inspection: Inspection | None = None, **kwargs):
        self.inspection = inspection
        if inspection is not None:
            kwargs.setdefault("initial", {}).update(
                title=inspection.title,
                reference=inspection.reference,
                kind=inspection.kind,
                organisations=list(inspection.organisations.all()),
                framework=inspection.framework_id,
                fieldwork_start=inspection.fieldwork_start,
                fieldwork_end=inspection.fieldwork_end,
                partner_inspectorates=list(inspection.partner_inspectorates),
            )
        else:
            newest = newest_framework()
            if newest is not None:
                kwargs.setdefault("initial", {}).setdefault("framework", newest.pk)
        super().__init__(*args, **kwargs)
        # Django's own messages for a list of choices name no field.
        for name in ("organisations", "partner_inspectorates"):
            label = self.fields[name].label.lower()
            for code in ("invalid_choice", "invalid_pk_value", "invalid_list"):
                self.fields[name].error_messages[code] = f"Select valid {label}"
        fields = ["title", "reference", "kind", "organisations"]
        after = ["framework", "fieldwork_start", "fieldwork_end", "partner_inspectorates"]
        if inspection is not None:
            # The lead is changed on the team page.
            del self.fields["lead"]
            self.submit_label = "Save the set-up"
        else:
            after.append("lead")
        self.helper.layout = Layout(
            *fields,
            Fieldset(
                "new_organisation_name",
                "new_organisation_kind",
                "new_organisation_area",
                Fieldset(
                    "new_area_name",
                    "new_area_police_force",
                    "new_area_region",
                    legend="Or add an area not listed",
                    legend_size=Size.SMALL,
                ),
                legend="Add an organisation not listed",
                legend_size=Size.MEDIUM,
            ),
            *after,
        )

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_reference(self):
        value = self.cleaned_data["reference"].strip().lower()
        if not REFERENCE.match(value):
            raise ValidationError(
                "Reference must be lower-case letters, numbers and single hyphens, "
                "for example yos-barking-2026"
            )
        if value in RESERVED_REFERENCES:
            raise ValidationError(f"Reference cannot be '{value}': choose another")
        others = Inspection.objects.filter(reference__iexact=value)
        if self.inspection is not None:
            others = others.exclude(pk=self.inspection.pk)
        if others.exists():
            raise ValidationError("An inspection with this reference already exists")
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("fieldwork_start"), data.get("fieldwork_end")
        if start and end and end < start:
            self.add_error("fieldwork_end", "Fieldwork end must be on or after the fieldwork start")
        self._clean_new_organisation(data)
        if (
            "organisations" in data
            and not data.get("organisations")
            and not data.get("new_organisation")
        ):
            if not self.has_error("new_organisation_name"):
                self.add_error(
                    "organisations", "Select an organisation inspected, or add one below"
                )
        return data

    def _clean_new_organisation(self, data) -> None:
        data["new_organisation"] = None
        before = len(self.errors)
        name = " ".join((data.get("new_organisation_name") or "").split())
        area_name = " ".join((data.get("new_area_name") or "").split())
        if not name:
            if data.get("new_organisation_kind") or data.get("new_organisation_area") or area_name:
                self.add_error("new_organisation_name", "Enter the name of the organisation to add")
            return
        listed = Organisation.objects.filter(name__iexact=name).first()
        if listed is not None:
            self.add_error(
                "new_organisation_name",
                f"{listed.name} is already listed: select it under Organisations inspected",
            )
            return
        if not data.get("new_organisation_kind"):
            self.add_error("new_organisation_kind", "Select the kind of the new organisation")
        area = data.get("new_organisation_area")
        new_area = None
        if area is None:
            police = (data.get("new_area_police_force") or "").strip()
            region = (data.get("new_area_region") or "").strip()
            if not area_name:
                self.add_error(
                    "new_organisation_area",
                    "Select the area of the new organisation, or add an area below",
                )
            else:
                if not police:
                    self.add_error("new_area_police_force", "Enter the police force area")
                if not region:
                    self.add_error("new_area_region", "Enter the probation region")
                new_area = NewArea(name=area_name, police_force_area=police, region=region)
        elif area_name:
            self.add_error("new_area_name", "Either select an area or add a new one, not both")
        if len(self.errors) == before and data.get("new_organisation_kind"):
            data["new_organisation"] = NewOrganisation(
                name=name, kind=data["new_organisation_kind"], area=area, new_area=new_area
            )

    def set_up(self) -> SetUp:
        data = self.cleaned_data
        return SetUp(
            title=data["title"],
            reference=data["reference"],
            kind=data["kind"],
            organisations=list(data["organisations"]),
            framework=data["framework"],
            fieldwork_start=data["fieldwork_start"],
            fieldwork_end=data["fieldwork_end"],
            partner_inspectorates=list(data["partner_inspectorates"]),
            new_organisation=data.get("new_organisation"),
        )


class MemberForm(GovForm):
    user = forms.ModelChoiceField(
        label="Person", queryset=User.objects.none(), empty_label="Select a person"
    )
    role = forms.ChoiceField(
        label="Role", choices=Membership.Role.choices, widget=forms.RadioSelect
    )
    inspectorate = forms.ChoiceField(
        label="Inspectorate (partner inspectors only)",
        choices=[("", "Select an inspectorate"), *PARTNERS],
        required=False,
    )

    submit_label = "Add to the team"

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(memberships__inspection=inspection)
            .order_by("last_name", "first_name", "username")
        )

    def clean(self):
        data = super().clean()
        if data.get("role") == Membership.Role.PARTNER and not data.get("inspectorate"):
            self.add_error("inspectorate", "Select the partner inspector's inspectorate")
        if data.get("role") and data.get("role") != Membership.Role.PARTNER:
            data["inspectorate"] = ""
        return data


class MoveForm(GovForm):
    reason = forms.CharField(
        label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
