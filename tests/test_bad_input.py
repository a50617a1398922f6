"""Bad input never breaks it: generated values posted to every form in the application.

Each test signs in as someone allowed to use one form and posts what hypothesis makes of its
fields: random text with unicode and control characters, very long strings, nothing at all,
numbers out of range, dates that do not exist, values that are not among the choices, fields
left out and fields the form does not have. For every response:

- the server never fails (status under 500);
- a refusal (the form shown again, or a 4xx answer) says what is wrong: every error is listed
  in the error summary, links to its field on the page and names the field (its label, or the
  question code), and a 4xx answer gives a message that names it too;
- a refusal changes nothing: every table has as many rows as before, and the tables the form
  writes hold the same values.

A submission that happens to be valid may be saved (a redirect); then only the first point is
checked. Each example runs in a transaction that is rolled back, so every example starts from
the same data. The fields of each form are read from the form itself, so a field added later
is fuzzed too. The import command has its own file: test_bad_input_import.py.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from html import unescape
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms.forms import NON_FIELD_ERRORS
from django.test import TestCase, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from casefiles.filters import CaseFilter
from casefiles.forms import CaseAddForm, CaseForm
from casefiles.models import DrawnCase
from casefiles.parts import BY_SLUG as PARTS
from casefiles.sampling import forms as sample_forms
from casefiles.sampling.services import population_upload, sample_draw
from inspection.formtools import DateField
from inspection.models import Job
from judgements import forms as judgement_forms
from judgements.models import OrganisationRating
from judgements.rules import applicable_questions
from reports.dashboards.views import DashboardFilterForm
from reports.writing import forms as report_forms
from tests.reports.exchange.test_exchange import add_case_file, build_inspection
from tests.support.sample_population import csv_bytes, population_rows, xlsx_bytes

pytestmark = pytest.mark.filterwarnings("ignore:No directory at")

# BAD_INPUT_EXAMPLES=500 for a longer search than the suite's.
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values ------------------------------------------------------------------------------------

CONTROL = "".join(chr(c) for c in [*range(32), 127, 0x85, 0xA0, 0x200B, 0x2028, 0xFEFF])
UNICODE = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
CONTROLS = st.text(st.sampled_from(CONTROL + "aZ 9é中\U0001f600"), min_size=1, max_size=12)
LONG = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["x", "é", "\U0001f600", "ab\r\n", "7"]),
    st.sampled_from([41, 61, 121, 201, 251, 301, 1001, 2001, 5001, 20001]),
)
NUMBERS = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.sampled_from(
        ["-1", "0", "1e309", "-0", "NaN", "inf", "0x1F", "1_000", "3.5", " 7 ", "٣", "²", "9" * 400]
    ),
)
ODD = st.sampled_from(
    ["", "   ", "\x00", "None", "null", "true", "[]", "{}", "<b>x</b>", "' OR 1=1 --", "%00"]
)
# PostgreSQL cannot store or even look up a NUL, so it gets a branch of its own.
WITH_NUL = st.tuples(UNICODE, UNICODE).map(lambda pair: "\x00".join(pair))
JUNK = st.one_of(ODD, UNICODE, CONTROLS, LONG, NUMBERS, WITH_NUL)
# A date's three boxes: impossible dates, out-of-range years, and letters.
BAD_DATES = st.sampled_from(
    [
        ("31", "2", "2018"),
        ("29", "2", "2019"),
        ("1", "1", "0"),
        ("1", "13", "2018"),
        ("0", "1", "2018"),
        ("1", "1", "1899"),
        ("1", "1", "99999"),
        ("1", "1", "9" * 30),
        ("99999999999999999999", "1", "2018"),
        ("1", "1", "2999"),
        ("a", "b", "c"),
        ("1.5", "1", "2018"),
        ("-1", "1", "2018"),
        ("١", "١", "٢٠١٨"),
        ("²", "1", "2018"),
        ("", "4", "2018"),
        ("16", "", ""),
    ]
)
EXTRA_NAMES = st.text(
    st.characters(min_codepoint=33, max_codepoint=0x24F, exclude_characters="&=#%+"),
    min_size=1,
    max_size=12,
)


def _one(strategy):
    """One value, or now and then the same field sent two or three times."""
    return st.one_of(strategy, st.lists(strategy, min_size=2, max_size=3))


@dataclass
class Kind:
    """How to make good and bad values for one field."""

    good: st.SearchStrategy
    bad: st.SearchStrategy = JUNK
    boxes: tuple[str, ...] = ("",)  # a date input sends three values, name_0 to name_2

    def values(self, draw, name: str, how: str) -> dict:
        if how == "missing":
            return {}
        if self.boxes == ("",):
            strategy = self.good if how == "good" else _one(self.bad)
            return {name: draw(strategy)}
        parts = draw(self.good if how == "good" else self.bad)
        return {
            f"{name}{box}": part
            for box, part in zip(self.boxes, parts, strict=True)
            if part is not None
        }


def _date_kind() -> Kind:
    good = st.dates(date(1950, 1, 1), date(2018, 4, 1)).map(
        lambda d: (str(d.day), str(d.month), str(d.year))
    )
    part = st.one_of(st.none(), JUNK)
    bad = st.one_of(BAD_DATES, st.tuples(part, part, part), st.tuples(st.just("31"), part, part))
    return Kind(good=good, bad=bad, boxes=("_0", "_1", "_2"))


def kind_of(form_field: forms.Field, initial=None) -> Kind:
    """Good and bad values for a form field, from what the field accepts."""
    if isinstance(form_field, DateField):
        return _date_kind()
    if isinstance(form_field, forms.ModelChoiceField):
        keys = [str(k) for k in form_field.queryset.values_list("pk", flat=True)[:6]]
        near = ["0", "-1", "99999999999999999999999", str(10**6)]
        return Kind(good=st.sampled_from(keys or [""]), bad=st.one_of(st.sampled_from(near), JUNK))
    if isinstance(form_field, forms.ChoiceField):
        values = [str(v) for v, _ in form_field.choices] or [""]
        near = st.sampled_from(values).map(lambda v: v.upper() + " ")
        if isinstance(form_field, forms.MultipleChoiceField):
            return Kind(
                good=st.lists(st.sampled_from(values), max_size=3, unique=True),
                bad=st.one_of(near, JUNK),
            )
        return Kind(good=st.sampled_from(values), bad=st.one_of(near, JUNK))
    if isinstance(form_field, forms.BooleanField):
        return Kind(good=st.sampled_from(["on", "1"]))
    if isinstance(form_field, forms.IntegerField | forms.DecimalField):
        low = int(form_field.min_value or 0)
        high = int(form_field.max_value if form_field.max_value is not None else low + 100)
        good = st.integers(low, high).map(str)
        if initial not in (None, ""):
            good = st.one_of(st.just(str(initial)), good)
        return Kind(good=good)
    if isinstance(form_field, forms.FileField):
        return Kind(good=st.just(""))  # the upload test makes its own files
    if isinstance(form_field, forms.CharField):
        size = min(form_field.max_length or 60, 60)
        good = st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=size)
        return Kind(good=good)
    raise AssertionError(f"no values for {type(form_field).__name__}")


def kinds_of(form: forms.BaseForm) -> dict[str, Kind]:
    return {
        name: kind_of(form_field, form.initial.get(name, form_field.initial))
        for name, form_field in form.fields.items()
    }


@st.composite
def submissions(draw, kinds: dict[str, Kind], *, extras: bool = True) -> dict:
    """What a browser, or someone who is not using one, might send for these fields.

    Half the time every field is good but one (bad or left out), so that a refusal can be
    traced to that field; the other half, each field is good, bad or missing at random."""
    names = sorted(kinds)
    one_bad = draw(st.booleans(), label="one field wrong") if names else False
    wrong = draw(st.sampled_from(names), label="the wrong field") if one_bad else None
    data: dict = {}
    for name in names:
        if one_bad:
            how = draw(st.sampled_from(["bad", "missing"])) if name == wrong else "good"
        else:
            how = draw(st.sampled_from(["good", "bad", "missing"]), label=name)
        data.update(kinds[name].values(draw, name, how))
    if extras:
        for name, value in draw(st.dictionaries(EXTRA_NAMES, JUNK, max_size=2)).items():
            data.setdefault(name, value)
    return data


# Checks ------------------------------------------------------------------------------------

READS = {"judgements.ReadRecord"}  # opening a page about a case is logged, by design
STATIC = {"inspection.Framework", "inspection.Domain", "inspection.Standard", "inspection.Question"}


def snapshot() -> dict:
    """The number of rows of every table, and every row of the tables a form can write."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        if label in READS:
            continue
        manager = model._default_manager
        if model._meta.app_label in {"casefiles", "judgements", "reports", "inspection"} and (
            label not in STATIC
        ):
            state[label] = list(manager.order_by("pk").values_list())
        else:
            state[label] = manager.count()
    return state


def _words(text: str) -> str:
    return " ".join(unescape(text).split())


SUMMARY = re.compile(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', re.S)
SUMMARY_ITEM = re.compile(r'<li>\s*<a href="#([^"]*)"[^>]*>(.*?)</a>\s*</li>', re.S)


def error_summary(page: str) -> list[tuple[str, str]]:
    """(link target, message) of every item in the page's error summaries."""
    return [
        (unescape(target), _words(message))
        for block in SUMMARY.findall(page)
        for target, message in SUMMARY_ITEM.findall(block)
    ]


# Words in a message that name nothing in particular.
PLAIN = set(
    "enter select must have that this with from than more fewer less characters value valid "
    "option number whole before after there which what does should could only each".split()
)


def names_field(message: str, names) -> bool:
    """Whether a message names its field: the label, its first words, or a question code."""
    text = message.lower()
    for name in names:
        name = str(name or "").lower().strip()
        if not name:
            continue
        stem = re.split(r"[(:?]", name)[0].strip()
        opening = " ".join(stem.split()[:3])  # "who should act" for "Who should act on it"
        words = [w.removesuffix("s") for w in re.findall(r"[a-z]{4,}", stem) if w not in PLAIN]
        if any(n and n in text for n in (name, stem, opening)) or any(w in text for w in words):
            return True
    return False


def assert_explained(response, *, form_key: str = "form", aliases=None, inline: bool = False):
    """The refusal lists every error in the error summary, each linked to an element of the
    page and naming its field. ``inline``: a GET filter form may show its errors beside the
    fields instead of in a summary."""
    page = response.content.decode()
    items = error_summary(page)
    for target, message in items:
        assert re.search(rf'\bid="{re.escape(target)}"', page), (
            f"{message!r} links to #{target}, which is not on the page"
        )
    form = response.context.get(form_key) if response.context is not None else None
    if form is None or not form.is_bound or not form.errors:
        assert items, "refused without saying why"
        return
    targets: dict[str, list[str]] = {}
    for target, message in items:
        targets.setdefault(message, []).append(target)
    aliases = aliases or {}
    for name, errors in form.errors.items():
        for error in errors:
            message = _words(error)
            if name == NON_FIELD_ERRORS:
                assert message in targets, f"{message!r} is not in the error summary"
                continue
            bound = form[name]
            names = [bound.label, name.replace("_", " "), *aliases.get(name, ())]
            assert names_field(message, names), f"{message!r} does not name the field {name}"
            if inline and message not in targets:
                assert _words(page).count(message), f"{name}: {message!r} is not on the page"
                continue
            assert message in targets, f"{name}: {message!r} is not in the error summary"
            assert any(t.startswith(bound.auto_id) for t in targets[message]), (
                f"{message!r} links to {targets[message]}, not to the field {bound.auto_id}"
            )


def check(client, url, data, *, accepted=(302,), method="post", **explain):
    """Send the data and check the answer; every example's writes are rolled back.

    A POST answered with a status not in ``accepted`` is a refusal. A GET never changes
    anything; it is a refusal when its filter form has errors."""
    note(f"{method.upper()} {url} {data!r}")
    with transaction.atomic():
        before = snapshot()
        response = getattr(client, method)(url, data)
        status = response.status_code
        assert status < 500, status
        form_key = explain.get("form_key", "form")
        form = response.context.get(form_key) if response.context is not None else None
        if method == "get":
            refused = form is not None and form.is_bound and bool(form.errors)
        else:
            refused = status not in accepted
        if refused or method == "get":
            assert snapshot() == before, "a refused submission changed the database"
        # A 409 (someone else saved first) is explained by each test; JSON by the test too.
        html = response.get("Content-Type", "").startswith("text/html")
        if refused and html and status != 409:
            assert_explained(response, **explain)
        transaction.set_rollback(True)
    return response


def test_a_date_too_big_for_the_computer_is_not_a_real_date():
    # Found by test_case_file_parts: date() raised OverflowError, not ValueError, for these.
    field = DateField(label="Meeting date")
    for boxes in (["1", "1", "9" * 30], ["9" * 20, "1", "2018"], ["1", "9" * 20, "2018"]):
        with pytest.raises(forms.ValidationError) as caught:
            field.clean(boxes)
        assert caught.value.messages == ["Meeting date must be a real date"]


# The data ----------------------------------------------------------------------------------


@pytest.fixture
def world(people, yos_framework, organisation):
    """An inspection in report writing (from test_exchange.build_inspection): C-001 agreed,
    C-002 submitted, C-003 not started with a full case file; and the cast from conftest."""
    inspection = build_inspection(people, yos_framework, organisation)
    cases = {c.reference: c for c in inspection.cases.all()}
    add_case_file(cases["C-003"])
    return SimpleNamespace(
        inspection=inspection,
        agreed=cases["C-001"],
        submitted=cases["C-002"],
        fresh=cases["C-003"],
        people=people,
    )


# Case files --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["create", "edit"])
@FUZZ
@given(data=st.data())
def test_case_details(world, login, action, data):
    # Only the lead adds a case (outside the draw, with the reason); inspectors change them.
    client = login(world.people.lead if action == "create" else world.people.inspector)
    if action == "create":
        url = reverse("casefiles:create", args=[world.inspection.reference])
        form = CaseAddForm(inspection=world.inspection)
    else:
        url = reverse("casefiles:edit", args=[world.fresh.public_id])
        form = CaseForm(instance=world.fresh, inspection=world.inspection)
    check(client, url, data.draw(submissions(kinds_of(form))))


@pytest.mark.parametrize("part", sorted(PARTS))
@FUZZ
@given(data=st.data())
def test_case_file_parts(world, login, part, data):
    client = login(world.people.inspector)
    form_class, model = PARTS[part].form, PARTS[part].model
    case = world.fresh
    existing = model.objects.filter(case=case).first()
    if data.draw(st.booleans(), label="change an existing one"):
        url = reverse("casefiles:part_edit", args=[case.public_id, part, existing.public_id])
        form = form_class(instance=existing)
    else:
        url = reverse("casefiles:part_add", args=[case.public_id, part])
        form = form_class(instance=model(case=case))
    check(client, url, data.draw(submissions(kinds_of(form))))


@FUZZ
@given(data=st.data())
def test_case_list_filters(world, login, data):
    client = login(world.people.inspector)
    form = CaseFilter(inspection=world.inspection).form
    kinds = {**kinds_of(form), "page": Kind(good=st.sampled_from(["1", "2", "last"]))}
    url = reverse("casefiles:list", args=[world.inspection.reference])
    check(client, url, data.draw(submissions(kinds)), method="get", inline=True)


# The walk-through --------------------------------------------------------------------------


def _step_form(world, code="2.1"):
    from judgements.selectors import walkthrough

    walk = walkthrough(world.fresh)
    questions = walk.step_questions(walk.step(code).standard)
    form = judgement_forms.StepForm(questions=questions, answers=walk.answers)
    codes = {
        f"{judgement_forms.field_prefix(q)}-{part}": [q.code]
        for q in questions
        for part in ("value", "note", "version")
    }
    return form, codes


@FUZZ
@given(data=st.data())
def test_step_answers(world, login, data):
    client = login(world.people.lead)
    form, codes = _step_form(world)
    payload = data.draw(submissions(kinds_of(form)))
    if data.draw(st.booleans(), label="save and continue"):
        payload["continue"] = "1"
    url = reverse("judgements:step", args=[world.fresh.public_id, "2.1"])
    response = check(client, url, payload, aliases=codes)
    if response.status_code == 409:
        page = response.content.decode()
        conflicts = page.split("someone else changed this step", 1)[1].split("</table>", 1)[0]
        sent = {name.split("-")[0] for name in payload if name.endswith("-version")}
        assert any(codes[f"{prefix}-value"][0] in conflicts for prefix in sent), conflicts


@FUZZ
@given(data=st.data())
def test_autosave(world, login, data):
    client = login(world.people.lead)
    questions = [q for q in applicable_questions(world.fresh) if q.standard.code == "2.1"]
    prefixes = [judgement_forms.field_prefix(q) for q in questions]
    form = judgement_forms.AutosaveForm()
    kinds = kinds_of(form)
    kinds["question"] = Kind(good=st.sampled_from(prefixes))
    kinds["version"] = Kind(good=st.just("0"))
    payload = data.draw(submissions(kinds))
    url = reverse("judgements:autosave", args=[world.fresh.public_id, "2.1"])
    response = check(client, url, payload, accepted=(200,))
    if response.status_code != 200:
        message = response.json()["message"]
        sent = payload.get("question")
        question = next((q for q in questions if judgement_forms.field_prefix(q) == sent), None)
        named = question.code if question else "question"
        assert message.startswith("Not saved: ") and named in message, message


@FUZZ
@given(data=st.data())
def test_moderation_return(world, login, data):
    from judgements.selectors import walkthrough

    client = login(world.people.qa)
    walk = walkthrough(world.submitted)
    form = judgement_forms.ReturnForm(questions=walk.questions)
    kinds = kinds_of(form)
    # Most questions left alone, as a moderator would; a few returned, with or without reason.
    chosen = data.draw(st.lists(st.sampled_from(walk.questions), max_size=3, unique=True))
    kinds = {
        name: kind
        for name, kind in kinds.items()
        if any(name.startswith(judgement_forms.field_prefix(q) + "-") for q in chosen)
    }
    # "agree" only asks for confirmation (a page, not a refusal); the confirmation agrees.
    kinds["decision"] = Kind(good=st.sampled_from(["return", "return", "agree-confirmed"]))
    codes = {f"{judgement_forms.field_prefix(q)}-reason": [q.code] for q in walk.questions}
    url = reverse("judgements:moderate", args=[world.submitted.public_id])
    check(client, url, data.draw(submissions(kinds)), aliases=codes)


@FUZZ
@given(data=st.data())
def test_reopen(world, login, data):
    client = login(world.people.lead)
    url = reverse("judgements:reopen", args=[world.agreed.public_id])
    check(client, url, data.draw(submissions(kinds_of(judgement_forms.ReopenForm()))))


@FUZZ
@given(data=st.data())
def test_assignment_and_qa_share(world, login, data):
    client = login(world.people.lead)
    url = reverse("judgements:assign", args=[world.inspection.reference])
    cases = list(world.inspection.cases.all())
    if data.draw(st.booleans(), label="select a share"):
        kinds = kinds_of(judgement_forms.QaShareForm())
        payload = {"select-share": "1", **data.draw(submissions(kinds))}
        check(client, url, payload, form_key="share_form")
    else:
        usernames = ["lead", "inspector", "colleague", "partner"]
        kinds = {}
        for case in cases:
            kinds[f"inspector-{case.public_id}"] = Kind(good=st.sampled_from(["", *usernames]))
            kinds[f"qa-{case.public_id}"] = Kind(good=st.just("on"))
        response = check(client, url, data.draw(submissions(kinds)))
        if response.status_code == 200:
            for target, message in error_summary(response.content.decode()):
                case = next(c for c in cases if target == f"inspector-{c.public_id}")
                assert case.reference in message, message


@pytest.mark.parametrize("code", ["1.1", "1.3"])  # rated already, and not yet
@FUZZ
@given(data=st.data())
def test_organisation_rating(world, login, code, data):
    client = login(world.people.lead)
    url = reverse(
        "judgements:organisation_rating_edit",
        args=[world.inspection.reference, "bd-yos", code],
    )
    rating = OrganisationRating.objects.filter(
        inspection=world.inspection, standard__code=code
    ).first()
    form = judgement_forms.OrganisationRatingForm(
        initial={"version": rating.version if rating else 0}
    )
    response = check(client, url, data.draw(submissions(kinds_of(form))))
    if response.status_code == 409:
        page = unescape(response.content.decode())
        assert "someone else changed this rating" in page
        if rating is not None:
            assert f"The saved rating is now {rating.rating}, by {rating.rated_by}." in page
        else:
            assert "The saved rating is now" not in page


# The report ---------------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["foreword", "findings", "standard"])
@FUZZ
@given(data=st.data())
def test_report_sections(world, login, section, data):
    client = login(world.people.lead)
    reference = world.inspection.reference
    form_class, url = {
        "foreword": (
            report_forms.ForewordForm,
            reverse("reports:report_foreword", args=[reference]),
        ),
        "findings": (
            report_forms.DomainFindingsForm,
            reverse("reports:report_findings", args=[reference, "2"]),
        ),
        "standard": (
            report_forms.StandardTextForm,
            reverse("reports:report_standard", args=[reference, "2.2"]),
        ),
    }[section]
    check(client, url, data.draw(submissions(kinds_of(form_class()))))


@pytest.mark.parametrize("kind", ["recommendations", "key-facts", "practice-examples"])
@FUZZ
@given(data=st.data())
def test_report_items(world, login, kind, data):
    from reports.writing.views import ITEM_KINDS

    client = login(world.people.lead)
    reference = world.inspection.reference
    item_kind = ITEM_KINDS[kind]
    form = item_kind.form_for(world.inspection)
    if data.draw(st.booleans(), label="change an existing one"):
        item = item_kind.model.objects.filter(report__inspection=world.inspection).first()
        url = reverse("reports:report_item_edit", args=[reference, kind, item.public_id])
    else:
        url = reverse("reports:report_item_add", args=[reference, kind])
    check(client, url, data.draw(submissions(kinds_of(form))))


# Drawing the sample -------------------------------------------------------------------------


@pytest.fixture
def uploaded(inspection, people):
    result = population_upload(
        inspection=inspection,
        filename="eligible.csv",
        data=csv_bytes(population_rows()),
        by=people.lead,
    )
    assert result.problems == []
    return inspection


def _sample_url(name, inspection, *args):
    return reverse(f"casefiles:{name}", args=[inspection.reference, *args])


CELLS = st.one_of(
    JUNK,
    st.sampled_from(["court_disposal", "bd-yos", "male", "yro", "low", "2017-08-01", "31/02/2017"]),
)
ROWS = st.lists(st.lists(CELLS, max_size=9), max_size=6)
FILE_NAMES = st.one_of(
    st.sampled_from(["eligible.csv", "eligible.xlsx", "eligible.xls", "ELIGIBLE.CSV", "a.txt"]),
    # A browser sends a file's own name, never a bare folder ("/", "a/"): the test client
    # cannot send one either (an empty name after the last slash is refused before the app).
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=300).filter(
        lambda name: os.path.basename(name) not in ("", ".", "..")
    ),
)


@st.composite
def population_files(draw):
    """A list of eligible cases gone wrong: made-up rows, broken bytes, or a cut workbook."""
    name = draw(FILE_NAMES, label="file name")
    rows = [[str(c) for c in row] for row in draw(ROWS, label="rows")]
    how = draw(st.sampled_from(["csv", "xlsx", "bytes", "cut", "good rows, bad cells"]))
    if how == "csv":
        content = csv_bytes(rows)
    elif how == "xlsx":
        # Characters a worksheet cannot hold are not in any real workbook.
        content = xlsx_bytes([[ILLEGAL_CHARACTERS_RE.sub("", c) for c in row] for row in rows])
    elif how == "bytes":
        content = draw(st.binary(max_size=300))
    elif how == "cut":
        whole = xlsx_bytes(population_rows(court=2, out_of_court=1))
        content = whole[: draw(st.integers(0, len(whole) - 1))]
    else:
        good = population_rows(court=3, out_of_court=2)
        for row in rows:
            if row and good:
                good[len(row) % len(good)][len(row[0]) % 8] = row[-1]
        content = csv_bytes(good)
    return SimpleUploadedFile(name, content)


@FUZZ
@given(data=st.data())
def test_population_upload(inspection, people, login, data):
    """A refused form says why; a file that reaches the background job is read to a clean
    population or to its problems listed by row and column, never to a crash."""
    client = login(people.lead)
    payload = {}
    if data.draw(st.integers(0, 9), label="how the file is sent"):
        payload["file"] = data.draw(population_files())
    elif data.draw(st.booleans(), label="file name as text"):
        payload["file"] = data.draw(JUNK)  # not a file at all
    if data.draw(st.booleans(), label="extra fields"):
        payload.update(data.draw(st.dictionaries(EXTRA_NAMES, JUNK, max_size=2)))
    url = _sample_url("sample_upload", inspection)
    note(f"POST {url} {payload!r}")
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with transaction.atomic(), override_settings(TASKS=immediate):
        before = snapshot()
        with TestCase.captureOnCommitCallbacks() as queued:
            response = client.post(url, payload)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert snapshot() == before, "a refused submission changed the database"
            assert_explained(response)
        else:
            for enqueue in queued:
                enqueue()  # the job runs now, as a worker would run it
            job = Job.objects.get()
            assert job.status == Job.Status.DONE, job.error
            if job.params.get("problem_count"):
                after = snapshot()
                assert {k: v for k, v in after.items() if k != "inspection.Job"} == {
                    k: v for k, v in before.items() if k != "inspection.Job"
                }, "a file with problems changed the database"
                page = client.get(job.redirect_url)
                assert page.status_code == 200
                assert_explained(page)
        transaction.set_rollback(True)


@pytest.mark.parametrize("page", ["windows", "precision", "size", "draw"])
@FUZZ
@given(data=st.data())
def test_sample_settings(uploaded, people, login, page, data):
    from casefiles.sampling.selectors import sample_types_for, sampling_plan

    client = login(people.lead)
    if page == "windows":
        form = sample_forms.WindowsForm(
            sample_types=sample_types_for(uploaded), windows=sampling_plan(uploaded).windows
        )
        url = _sample_url("sample_windows", uploaded)
    elif page == "precision":
        form, url = sample_forms.PrecisionForm(), _sample_url("sample_precision", uploaded)
    elif page == "size":
        form = sample_forms.SizeOverrideForm(eligible=37, calculated=31)
        url = _sample_url("sample_size_override", uploaded, "court_disposal")
    else:
        form, url = sample_forms.DrawForm(), _sample_url("sample_draw", uploaded)
    check(client, url, data.draw(submissions(kinds_of(form))))


@pytest.fixture
def drawn(uploaded, people):
    sample_draw(inspection=uploaded, seed=2018, by=people.lead)
    return uploaded


@FUZZ
@given(data=st.data())
def test_replacing_a_drawn_case(drawn, people, login, data):
    entry = DrawnCase.objects.filter(status=DrawnCase.Status.SELECTED).first()
    client = login(people.lead)
    url = reverse("casefiles:sample_replace", args=[entry.public_id])
    check(client, url, data.draw(submissions(kinds_of(sample_forms.ReplaceForm()))))


# Dashboards (GET) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["national", "question", "referrals", "area", "organisation", "cases", "ratings"]
)
@FUZZ
@given(data=st.data())
def test_dashboard_filters(world, login, page, data):
    client = login(world.people.manager)
    reference = world.inspection.reference
    url = {
        "national": reverse("reports:dashboards"),
        "question": reverse("reports:dashboard_question", args=["2.1.1"]),
        "referrals": reverse("reports:dashboard_referrals"),
        "area": reverse("reports:dashboard_area", args=["barking-and-dagenham"]),
        "organisation": reverse("reports:dashboard_organisation", args=["bd-yos"]),
        "cases": reverse("reports:dashboard_cases", args=[reference, "bd-yos"]),
        "ratings": reverse("reports:ratings", args=[reference]),
    }[page]
    form = DashboardFilterForm(None, all_frameworks=page == "referrals")
    kinds = kinds_of(form)
    kinds.update(
        {
            "format": Kind(good=st.sampled_from(["csv", "html"])),
            "table": Kind(
                good=st.sampled_from(
                    [
                        "ratings",
                        "distribution",
                        "questions",
                        "organisations",
                        "areas",
                        "waiting",
                        "figures",
                        "cases",
                    ]
                )
            ),
            "page": Kind(good=st.sampled_from(["1", "2", "last"])),
            "organisation": Kind(good=st.sampled_from(["bd-yos", "reading-yos"])),
            "area": Kind(good=st.sampled_from(["barking-and-dagenham", "reading"])),
            "standard": Kind(good=st.sampled_from(["2.1", "1.1", "3.4"])),
            "question": Kind(good=st.sampled_from(["2.1.1", "2.2.1"])),
        }
    )
    check(client, url, data.draw(submissions(kinds)), method="get")


# Addresses -----------------------------------------------------------------------------------

CODES = st.one_of(
    JUNK.filter(lambda code: code.strip("/")), st.sampled_from(["2.1", "1.1", "2.1.1", "9.9"])
)


@FUZZ
@given(data=st.data())
def test_odd_codes_in_addresses(world, login, data):
    """A domain, standard or question code typed into the address is found or not found."""
    client = login(world.people.lead)
    code = quote(data.draw(CODES, label="code"), safe="")
    case, reference = world.fresh.public_id, world.inspection.reference
    for method, url in [
        ("get", f"/cases/{case}/steps/{code}/"),
        ("post", f"/cases/{case}/steps/{code}/"),
        ("post", f"/cases/{case}/steps/{code}/autosave/"),
        ("get", f"/inspections/{reference}/report/standards/{code}/"),
        ("post", f"/inspections/{reference}/report/key-findings/{code}/"),
        ("get", f"/inspections/{reference}/organisation-ratings/bd-yos/{code}/"),
        ("get", f"/inspections/{reference}/ratings/standards/{code}/"),
        ("get", f"/dashboards/questions/{code}/"),
    ]:
        check(client, url, {}, method=method, accepted=(200, 302, 400, 403, 404, 405))


# Framework builder ---------------------------------------------------------------------------


@pytest.fixture
def framework_draft(yos_framework, people):
    from inspection.builder.services import draft_start

    return draft_start(
        actor=people.admin, source=yos_framework, slug="", name="Youth", version="2026"
    )


@pytest.mark.parametrize("kind", ["details", "start", "domain", "standard", "question"])
@FUZZ
@given(data=st.data())
def test_framework_builder_forms(framework_draft, people, login, kind, data):
    """An administrator (a framework editor) building a draft: each form of the builder."""
    from inspection.builder import forms as builder
    from inspection.models import Framework

    client = login(people.admin)
    draft = framework_draft
    if kind == "details":
        url = reverse("frameworks:details", args=[draft.slug, draft.version])
        form = builder.DetailsForm(initial=builder.DetailsForm.initial_for(draft))
    elif kind == "start":
        url = reverse("frameworks:start")
        form = builder.StartForm(frameworks=Framework.objects.all())
    else:
        code = {"domain": "2", "standard": "2.1", "question": "2.1.1"}[kind]
        url = reverse("frameworks:edit", args=[draft.slug, draft.version, kind, code])
        item = draft.questions.get(code=code) if kind == "question" else None
        item = item or (draft.standards.get(code=code) if kind == "standard" else None)
        item = item or (draft.domains.get(code=code) if kind == "domain" else None)
        form_class = {
            "domain": builder.DomainForm,
            "standard": builder.StandardForm,
            "question": builder.QuestionForm,
        }[kind]
        form = form_class(framework=draft, item=item)
    check(client, url, data.draw(submissions(kinds_of(form))))
# An inspection's set-up, team and stage ------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_inspection_set_up(world, login, data):
    from inspection.setup.forms import InspectionForm

    client = login(world.people.admin)  # an administrator may set up inspections
    url = reverse("inspection:create")
    check(client, url, data.draw(submissions(kinds_of(InspectionForm()))))


@FUZZ
@given(data=st.data())
def test_team_member(world, login, data):
    from inspection.setup.forms import MemberForm

    client = login(world.people.lead)
    url = reverse("inspection:team_add", args=[world.inspection.reference])
    kinds = kinds_of(MemberForm(inspection=world.inspection))
    kinds["user"] = Kind(
        good=st.sampled_from([str(world.people.outsider.pk), str(world.people.manager.pk)]),
        bad=st.one_of(st.sampled_from(["0", "-1", str(world.people.qa.pk)]), JUNK),
    )
    check(client, url, data.draw(submissions(kinds)))


@FUZZ
@given(data=st.data())
def test_stage_move_back(world, login, data):
    from inspection.setup.forms import MoveForm

    client = login(world.people.lead)
    url = reverse(
        "inspection:stage_move", args=[world.inspection.reference, "return-to-quality-assurance"]
    )
    check(client, url, data.draw(submissions(kinds_of(MoveForm()))))
