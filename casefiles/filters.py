"""The case list's filters, as a django-filter FilterSet.

django-filter builds the form from the filters and applies each one; the form's messages
name the field ("Select a valid option for sample"), and the case list writes its GOV.UK
markup. One rule of the case list is kept by hand: a request with any value the form
does not accept shows every case (with the message), rather than applying the filters that
were valid, so that a list is never silently narrowed by half a query.
"""

import django_filters
from django import forms

from inspection.formtools import name_required_messages
from inspection.models import person_name
from inspection.permissions import may_be_assigned_cases

from .choices import SampleType
from .models import Case


class CaseFilterForm(forms.Form):
    """The form django-filter builds the case filters on: sent with GET, so it carries no CSRF
    token (which would otherwise end up in addresses and page links). The case list writes
    its fields' GOV.UK markup itself; the messages name the field, as GovForm's do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required_messages(self)


class CaseFilter(django_filters.FilterSet):
    """Filter an inspection's cases by sample, organisation, inspector and status."""

    sample_type = django_filters.ChoiceFilter(
        label="Sample", choices=SampleType.choices, empty_label="All samples"
    )
    organisation = django_filters.ChoiceFilter(
        field_name="organisation__slug", label="Organisation", empty_label="All organisations"
    )
    inspector = django_filters.ChoiceFilter(
        label="Inspector",
        empty_label="Anyone",
        null_label="Not assigned",
        null_value="none",
        method="filter_inspector",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Case.Status.choices, empty_label="Any status"
    )

    class Meta:
        model = Case
        fields = ["sample_type", "organisation", "inspector", "status"]
        form = CaseFilterForm

    def __init__(self, data=None, queryset=None, *, inspection, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # The choices are the inspection's own organisations and the team members who score,
        # read as values: building a model instance for each would cost more than the rest.
        self.filters["organisation"].extra["choices"] = list(
            inspection.organisations.values_list("slug", "name")
        )
        self.filters["inspector"].extra["choices"] = [
            (username, person_name(first_name, last_name, username))
            for role, username, first_name, last_name in inspection.memberships.values_list(
                "role", "user__username", "user__first_name", "user__last_name"
            )
            if may_be_assigned_cases(role)
        ]

    def filter_inspector(self, queryset, name, value):
        if value == "none":
            return queryset.filter(inspector__isnull=True)
        return queryset.filter(inspector__username=value)

    def filter_queryset(self, queryset):
        # Any value the form does not accept: show every case, with the form's message.
        if not self.form.is_valid():
            return queryset
        return super().filter_queryset(queryset)
