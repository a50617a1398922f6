"""The options of a select written by inspection.templatetags.govuk_forms, as Django's Select
widget writes them."""

from django import forms

from inspection.templatetags.govuk_forms import select_options


class PickForm(forms.Form):
    pick = forms.ChoiceField(
        choices=[("", "Any"), ("a&b", "A & B"), ("<x>", "<script>x</script>"), ("1", "One")],
        required=False,
    )


def widget_options(form: forms.Form) -> str:
    """Django's own rendering of the options, whitespace dropped, for comparison."""
    html = str(form["pick"])
    inner = html.split(">", 1)[1].rsplit("</select>", 1)[0]
    return "".join(line.strip() for line in inner.splitlines())


def test_unbound_selects_the_empty_option():
    form = PickForm()
    assert select_options(form["pick"]) == (
        '<option value="" selected>Any</option>'
        '<option value="a&amp;b">A &amp; B</option>'
        '<option value="&lt;x&gt;">&lt;script&gt;x&lt;/script&gt;</option>'
        '<option value="1">One</option>'
    )
    assert select_options(form["pick"]) == widget_options(form)


def test_the_value_sent_is_selected_and_escaped_as_the_widget_does():
    for value in ("a&b", "<x>", "1", "unknown"):
        form = PickForm({"pick": value})
        assert select_options(form["pick"]) == widget_options(form), value
    assert '<option value="&lt;x&gt;" selected>' in select_options(
        PickForm({"pick": "<x>"})["pick"]
    )
    # A value not among the options selects none.
    assert " selected" not in select_options(PickForm({"pick": "unknown"})["pick"])
