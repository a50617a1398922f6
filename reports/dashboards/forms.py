"""The dashboards' filter form."""

from __future__ import annotations

import hashlib

from django import forms
from django.core.exceptions import ValidationError

from inspection.formtools import DateField, GovForm
from inspection.models import Area, Framework, Organisation
from reports.dashboards.filters import Filters, default_framework, framework_key


class DashboardFilterForm(GovForm):
    """The dashboards' filters. Every field is optional; a bad value is refused with a message
    that names the field, and the page shows no figures until it is put right."""

    framework = forms.ChoiceField(label="Framework", required=False)
    kind = forms.ChoiceField(
        label="Organisation type",
        required=False,
        choices=[("", "All types"), *Organisation.Kind.choices],
    )
    region = forms.ChoiceField(label="Region", required=False)
    fieldwork_from = DateField(
        label="Fieldwork from", required=False, help_text="For example, 1 4 2019"
    )
    fieldwork_to = DateField(
        label="Fieldwork to", required=False, help_text="For example, 31 3 2024"
    )

    def __init__(self, data, *, all_frameworks: bool = False):
        super().__init__(data)
        self.helper.form_method = "get"
        self.frameworks = {
            framework_key(f): f
            for f in Framework.objects.filter(status=Framework.Status.PUBLISHED).order_by(
                "name", "-version"
            )
        }
        choices = [(key, str(f)) for key, f in self.frameworks.items()]
        self.fields["framework"].choices = (
            [("", "All frameworks")] + choices if all_frameworks else choices
        )
        if not all_frameworks:
            self.fields["framework"].help_text = "Ratings compare organisations on one framework"
        regions = Area.objects.order_by("region").values_list("region", flat=True).distinct()
        self.fields["region"].choices = [("", "All regions")] + [(r, r) for r in regions]
        self.all_frameworks = all_frameworks

    @property
    def drawn_key(self) -> str:
        """What the form's fields look like drawn: its data, the choices offered and any
        errors. The fields are drawn once per key and kept in the cache (the template's
        {% cache %} fragment): drawing them through the GOV.UK field templates cost more than
        the figures read from the cache beside them."""
        state = (
            sorted((name, self.data.getlist(name)) for name in self.fields if name in self.data)
            if hasattr(self.data, "getlist")
            else sorted(self.data.items()),
            [
                (name, list(field.choices))
                for name, field in self.fields.items()
                if hasattr(field, "choices")
            ],
            self.all_frameworks,
            self.errors.get_json_data() if self.is_bound else None,
        )
        return hashlib.sha256(repr(state).encode()).hexdigest()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("fieldwork_from"), cleaned.get("fieldwork_to")
        if start and end and end < start:
            self.add_error(
                "fieldwork_to",
                ValidationError("Fieldwork to must be the same as or after fieldwork from"),
            )
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        framework = self.frameworks.get(data["framework"])
        if framework is None and not self.all_frameworks:
            framework = default_framework()
            if framework is not None:
                # Show the framework the figures are for, not the first in the list.
                self.data = self.data.copy()
                self.data["framework"] = framework_key(framework)
        return Filters(
            framework=framework,
            kind=data["kind"],
            region=data["region"],
            fieldwork_from=data["fieldwork_from"],
            fieldwork_to=data["fieldwork_to"],
        )
