from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Look a key up in a dict in a template: {{ answers|get_item:question.pk }}."""
    return mapping.get(key) if mapping else None
