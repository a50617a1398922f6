from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """Look a key up in a dict in a template: {{ answers|get_item:question.pk }}."""
    return mapping.get(key) if mapping else None


@register.filter
def qa_feedback(decisions):
    """The moderator's latest overall feedback on a case (agreed or returned, with a reason)."""
    given = [
        d for d in decisions or [] if d.reason.strip() and d.decision in ("agreed", "returned")
    ]
    return given[-1] if given else None
