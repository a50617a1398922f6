"""Pieces of GOV.UK form markup for pages that write a form's fields themselves."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

_OPTION = '<option value="{}">{}</option>'
_SELECTED = '<option value="{}" selected>{}</option>'


@register.simple_tag
def select_options(field) -> str:
    """The options of a select (a bound field), its current value selected, as Django's
    Select widget writes them. Built in Python: a template loop over a long list of options
    (a national inspection's team) costs several times more."""
    current = field.value()
    current = "" if current is None else str(current)
    return format_html_join(
        "",
        "{}",
        (
            (format_html(_SELECTED if str(value) == current else _OPTION, value, label),)
            for value, label in field.field.choices
        ),
    )
