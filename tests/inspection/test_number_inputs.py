"""Number boxes are GOV.UK text inputs with a numeric keyboard, as wide as their numbers."""

import re

from django.urls import reverse

from judgements.forms import QaShareForm


def test_a_number_field_is_a_numeric_text_input():
    form = QaShareForm()
    widget = form.fields["percent"].widget
    assert widget.input_type == "text"
    assert widget.attrs["inputmode"] == "numeric"
    assert widget.attrs["class"] == "govuk-input--width-5"  # up to 100
    assert form.fields["seed"].widget.attrs["class"] == "govuk-input--width-10"


def test_the_page_renders_it_as_a_govuk_input(login, people, case):
    inspection = case.inspection
    page = login(people.lead).get(reverse("judgements:assign", args=[inspection.reference]))
    assert page.status_code == 200, page.status_code
    box = re.search(r'<input[^>]*name="percent"[^>]*>', page.content.decode()).group(0)
    assert 'type="text"' in box and 'inputmode="numeric"' in box
    assert "govuk-input govuk-input--width-5" in box


def test_a_bad_number_is_named_in_gov_uk_words(login, people, inspection):
    response = login(people.lead).post(
        reverse("judgements:assign", args=[inspection.reference]),
        {"select-share": "1", "percent": "twenty", "seed": "1"},
    )
    assert "Share must be a whole number, like 20" in response.content.decode()
