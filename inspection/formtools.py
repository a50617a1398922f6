"""Form pieces shared by every app: GOV.UK date inputs and messages that name the field."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms
from django.core.exceptions import ValidationError


class DateField(DateInputField):
    """A GOV.UK date input (day, month, year) whose messages name the field."""

    def __init__(self, *, label: str, **kwargs):
        # Each box is checked on its own, so a date with a missing part is an error (naming the
        # part) rather than quietly saved as no date at all.
        kwargs.setdefault("require_all_fields", False)
        super().__init__(label=label, **kwargs)
        name = str(label)
        self.error_messages["required"] = f"Enter the {name.lower()}"
        self.error_messages["incomplete"] = f"{name} must include a day, month and year"
        for part, sub in zip(("day", "month", "year"), self.fields, strict=True):
            sub.error_messages["incomplete"] = f"{name} must include a {part}"
            # A box holding only spaces is stripped to nothing, then found empty.
            sub.error_messages["required"] = f"{name} must include a {part}"
            sub.validators = [_digits(f"{name} must be a real date")]

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            value = date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError) as error:  # 31 February; a year of 30 digits
            raise ValidationError(f"{self.label} must be a real date") from error
        if value.year < 1900:
            raise ValidationError(f"{self.label} must be after 1900")
        return value


def _digits(message: str):
    def validate(value: str) -> None:
        if not str(value).strip().isdigit():
            raise ValidationError(message)

    return validate


class GovForm(forms.Form):
    """A form rendered with the GOV.UK pack, whose 'required' messages name the field."""

    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required_messages(self)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        # Templates put the CSRF token in each POST form; a GET form must not carry one.
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL


class GovModelForm(forms.ModelForm):
    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required_messages(self)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        # Templates put the CSRF token in each POST form; a GET form must not carry one.
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL


def name_required_messages(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        label = str(field.label or "").strip()
        if not label or isinstance(field, DateInputField):
            continue
        # An initialism keeps its capitals: "Select MAPPA level", not "Select mAPPA level".
        lowered = label if label[:2].isupper() else label[0].lower() + label[1:]
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            field.error_messages["required"] = f"Select {lowered}"
            field.error_messages["invalid_choice"] = f"Select a valid option for {lowered}"
        else:
            field.error_messages["required"] = f"Enter {lowered}"
        if isinstance(field, forms.ModelChoiceField):
            # Django checks a chosen key for NUL itself, with a message naming no field; a key
            # holding one is simply not among the options.
            field.validate_no_null_characters = _not_null(field)
        if isinstance(field, forms.CharField) and field.max_length:
            field.error_messages["max_length"] = (
                f"{label} must be {field.max_length} characters or fewer"
            )
        if isinstance(field, forms.CharField):
            # Pasted text can carry a NUL, which the database cannot store.
            field.error_messages.setdefault(
                "null_characters_not_allowed", f"{label} must not contain null characters"
            )
        if isinstance(field, forms.IntegerField | forms.DecimalField):
            _name_number_messages(field, label)
            _numeric_text_input(field)


def _not_null(field: forms.ModelChoiceField):
    def validate(value) -> None:
        if "\x00" in str(value):
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")

    return validate


def _numeric_text_input(field: forms.IntegerField | forms.DecimalField) -> None:
    """GOV.UK asks for numbers in a text input with a numeric keyboard, not type="number"
    (which changes a value on a scroll, and drops what it cannot read), as wide as the
    numbers it takes."""
    if not isinstance(field.widget, forms.NumberInput):
        return
    whole = not isinstance(field, forms.DecimalField | forms.FloatField)
    short = field.max_value is not None and field.max_value < 100_000
    field.widget = forms.TextInput(
        attrs={
            "inputmode": "numeric" if whole else "decimal",
            "spellcheck": "false",
            "class": "govuk-input--width-5" if short else "govuk-input--width-10",
        }
    )


def _name_number_messages(field: forms.IntegerField | forms.DecimalField, label: str) -> None:
    """Django's own messages ("Enter a whole number.", "Ensure this value is greater than or
    equal to 0.") do not say which box is wrong; a message a form sets itself is kept."""
    default = type(field).default_error_messages.get("invalid")
    if field.error_messages.get("invalid") == default:
        # DecimalField and FloatField are kinds of IntegerField in Django.
        whole = not isinstance(field, forms.DecimalField | forms.FloatField)
        field.error_messages["invalid"] = f"{label} must be a {'whole ' if whole else ''}number"
    if field.min_value is not None:
        field.error_messages.setdefault("min_value", f"{label} must be {field.min_value} or more")
    if field.max_value is not None:
        field.error_messages.setdefault("max_value", f"{label} must be {field.max_value} or less")
    if isinstance(field, forms.DecimalField):
        for code in ("max_digits", "max_whole_digits"):
            field.error_messages.setdefault(code, f"{label} has too many digits")
        field.error_messages.setdefault(
            "max_decimal_places",
            f"{label} must have no more than {field.decimal_places} decimal places",
        )


def yes_no_unknown(label: str) -> forms.TypedChoiceField:
    """A radios question whose answer may be not yet known (None)."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No"), ("", "Not known")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def gov_formfield(db_field, **kwargs):
    """Model fields to GOV.UK form fields: dates as date inputs, yes/no/unknown as radios."""
    from django.db import models
    from django.utils.text import capfirst

    label = capfirst(db_field.verbose_name)
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return DateField(
            label=label, required=not db_field.blank, help_text="For example, 27 3 2024"
        )
    if isinstance(db_field, models.BooleanField) and db_field.null:
        return yes_no_unknown(label)
    field = db_field.formfield(**kwargs)
    if isinstance(db_field, models.CharField) and db_field.choices and field is not None:
        field.widget = forms.RadioSelect(choices=field.choices)
        if not db_field.blank:
            field.choices = [c for c in field.choices if c[0] != ""]
            field.widget.choices = field.choices
    return field


class GovModelFormBase(GovModelForm):
    class Meta:
        formfield_callback = gov_formfield
