"""Dashboards for managers: the national view, one area or organisation over time, the cases
behind any cell, and the referral tracker. Read-only: every view answers GET (and HEAD) only.

Who sees what: managers and administrators see every dashboard across all inspections. The
national views (ratings, a key question across organisations, the referral tracker) compare
every organisation, so anyone else gets 403 there. An area or organisation view shows anyone
else only the inspections whose team they are on, without the national comparison (which is
built from other teams' cases), and is "not found" when they are on none. The cases behind a
cell follow the inspection's own access rule (inspection.access).

Every table downloads as CSV with ?format=csv&table=<name>.
"""

from __future__ import annotations

import csv
import html
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from inspection.access import inspection_access
from inspection.converters import slug_from_query
from inspection.formtools import DateField, GovForm
from inspection.models import Area, Framework, Inspection, Organisation
from inspection.rating_rules import RATING_NAMES, Tally
from reports import charts
from reports.dashboards.selectors import (
    NOT_RATED,
    Figure,
    Filters,
    cell_cases,
    default_framework,
    figure_columns,
    framework_key,
    framework_structure,
    national_dashboard,
    national_figures_csv_rows,
    national_question,
    rate_standard,
    referral_tracker,
    referrals_waiting,
)
from reports.dashboards.selectors import area_dashboard as build_area_dashboard

READ_ONLY = ["GET", "HEAD"]
REFERRALS_PER_PAGE = 50
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_manager(user) -> bool:
    return bool(user.is_authenticated and (user.is_manager or user.is_superuser))


def require_manager(user) -> None:
    if not is_manager(user):
        raise PermissionDenied("Only managers and administrators can see national dashboards.")


# --------------------------------------------------------------------------- filters


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
            framework_key(f): f for f in Framework.objects.order_by("name", "-version")
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


def _filter_form(request, *, all_frameworks: bool = False) -> DashboardFilterForm:
    data = request.GET.copy()
    for name in ("format", "table", "page", "organisation", "area"):
        data.pop(name, None)
    return DashboardFilterForm(data, all_frameworks=all_frameworks)


def _invalid(request, template: str, context: dict) -> HttpResponse:
    # 200, not 400: the page answered, and shows the error summary as any form page does.
    return render(request, template, {**context, "invalid": True})


# --------------------------------------------------------------------------- CSV


def csv_response(filename: str, rows) -> HttpResponse:
    """A CSV download. Cells that a spreadsheet would run as a formula are quoted with '."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(
            [
                f"'{value}"
                if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS)
                else value
                for value in row
            ]
        )
    return response


def _wants_csv(request) -> str | None:
    if request.GET.get("format") != "csv":
        return None
    return request.GET.get("table", "")


def _unknown_table(table: str):
    raise Http404(f"There is no table called {table!r} on this page.")


# --------------------------------------------------------------------------- grid cells

SMALL_SAMPLE_TAG = (
    ' <strong class="govuk-tag govuk-tag--yellow app-tag--small">Small sample</strong>'
)
NOT_RATED_CELL = '<td class="govuk-table__cell"><span class="app-not-rated">Not rated</span></td>'


def rating_cells(cells, row_label: str) -> SafeString:
    """The cells of one grid row, each rating linking to the cases behind it.

    Built here rather than in the template on purpose: a national grid has thousands of cells,
    and the template engine takes longer over them than the database over the answers. Every
    piece of data is escaped (html.escape escapes quotes too, as Django's escape does).
    """
    label = html.escape(row_label)
    parts = []
    for cell in cells:
        if not cell.rating:
            parts.append(NOT_RATED_CELL)
            continue
        parts.append(
            f'<td class="govuk-table__cell"><a class="govuk-link app-rating-link" '
            f'href="{html.escape(cell.cases_url)}"><span class="app-rating app-rating--'
            f'{cell.css}">{html.escape(cell.rating)}</span><span class="govuk-visually-hidden">'
            f" for {html.escape(cell.standard.code)}, {label}</span></a>"
            f"{SMALL_SAMPLE_TAG if cell.small_sample else ''}</td>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece of data is escaped above


# --------------------------------------------------------------------------- national


@require_http_methods(READ_ONLY)
def national(request):
    require_manager(request.user)
    form = _filter_form(request)
    context = {"form": form, "active_tab": "national"}
    if not form.is_valid():
        return _invalid(request, "reports/dashboard_national.html", context)
    filters = form.filters()
    if filters.framework is None:
        return render(request, "reports/dashboard_national.html", {**context, "empty": True})
    view = national_dashboard(filters)

    table = _wants_csv(request)
    if table is not None:
        return _national_csv(view, table)

    standards = view.standards
    context.update(
        view=view,
        grid=[(row, rating_cells(row.cells, row.organisation.name)) for row in view.rows],
        query=request.GET.urlencode(),
        csv_query=_csv_query(request),
        distribution_chart=charts.stacked_bar_chart(
            [
                charts.StackedRow(
                    row.standard.code,
                    [
                        charts.Segment(name, count)
                        for name, count in zip(view.rating_names, row.counts, strict=True)
                    ],
                )
                for row in view.distribution
            ],
            series=view.rating_names,
            title=f"Ratings by standard, {view.structure.framework}",
            description=(
                f"For each of {len(standards)} standards, how many of {len(view.rows)} "
                "organisations have each rating at their latest inspection. The table "
                "after the chart gives the same counts."
            ),
            chart_id="distribution-chart",
        ),
        weakest_chart=_questions_chart(
            [(row.key_question.code, row.figure, None) for row in view.weakest],
            chart_id="weakest-chart",
            title="Weakest key questions nationally",
            description=(
                "Share of applicable cases answered Yes for the key questions with the lowest "
                "share, with 95% confidence intervals. The table after the chart gives each "
                "figure as n of N."
            ),
        ),
    )
    return render(request, "reports/dashboard_national.html", context)


def _csv_query(request) -> str:
    query = request.GET.copy()
    for name in ("format", "table", "page"):
        query.pop(name, None)
    query["format"] = "csv"
    return query.urlencode()


def _national_csv(view, table: str) -> HttpResponse:
    key = framework_key(view.structure.framework)
    if table == "ratings":
        rows = [
            [
                "organisation",
                "type",
                "area",
                "region",
                "inspection",
                "fieldwork start",
                "cases scored",
                *[f"{s.code} {s.title}" for s in view.standards],
                "overall",
            ]
        ]
        for row in view.rows:
            rows.append(
                [
                    row.organisation.name,
                    row.organisation.kind_label,
                    row.organisation.area_name,
                    row.organisation.region,
                    row.inspection.reference,
                    row.inspection.fieldwork_start.isoformat(),
                    row.cases_counted,
                    *[cell.label for cell in row.cells],
                    row.overall or NOT_RATED,
                ]
            )
        return csv_response(f"ratings-{key}.csv", rows)
    if table == "distribution":
        rows = [["standard", "title", *view.rating_names]]
        rows += [[r.standard.code, r.standard.title, *r.counts] for r in view.distribution]
        return csv_response(f"ratings-by-standard-{key}.csv", rows)
    if table == "questions":
        return csv_response(f"key-questions-{key}.csv", national_figures_csv_rows(view))
    _unknown_table(table)


def _questions_chart(items, *, chart_id: str, title: str, description: str, marker_label=""):
    """A bar per key question: % yes with its 95% interval, and the national mark if given."""
    bars = []
    for code, figure, national_figure in items:
        interval = figure.exact_interval
        bars.append(
            charts.Bar(
                label=code,
                value=figure.exact_percent,
                low=interval[0] if interval else None,
                high=interval[1] if interval else None,
                marker=national_figure.exact_percent if national_figure else None,
                text=(
                    f"{figure.percent}% ({figure.yes} of {figure.applicable})"
                    + (" small sample" if figure.small_sample else "")
                    if figure.has_cases
                    else "no applicable cases"
                ),
            )
        )
    return charts.bar_chart(
        bars, title=title, description=description, chart_id=chart_id, marker_label=marker_label
    )


@require_http_methods(READ_ONLY)
def question(request, code):
    """One key question across every organisation of the national view, weakest first."""
    require_manager(request.user)
    form = _filter_form(request)
    context = {"form": form, "active_tab": "national", "code": code}
    if not form.is_valid():
        return _invalid(request, "reports/dashboard_question.html", context)
    filters = form.filters()
    if filters.framework is None:
        raise Http404("No inspections yet.")
    view = national_dashboard(filters)
    key_question, figure, rows = national_question(view, code)
    if key_question is None:
        raise Http404(f"{filters.framework} has no key question {code} answered from cases.")
    table = _wants_csv(request)
    if table is not None:
        if table != "organisations":
            _unknown_table(table)
        header = ["organisation", "area", "region", "inspection", "fieldwork start"]
        header += ["yes", "applicable", "percent", "ci_low", "ci_high", "small_sample"]
        return csv_response(
            f"key-question-{code}-{framework_key(filters.framework)}.csv",
            [header]
            + [
                [
                    r.row.organisation.name,
                    r.row.organisation.area_name,
                    r.row.organisation.region,
                    r.row.inspection.reference,
                    r.row.inspection.fieldwork_start.isoformat(),
                    *figure_columns(r.figure),
                ]
                for r in rows
            ],
        )
    context.update(
        view=view,
        key_question=key_question,
        figure=figure,
        rows=rows,
        back_query=request.GET.urlencode(),
        csv_query=_csv_query(request),
    )
    return render(request, "reports/dashboard_question.html", context)


# --------------------------------------------------------------------------- area


@require_http_methods(READ_ONLY)
def organisation(request, slug):
    organisation = get_object_or_404(Organisation.objects.select_related("area"), slug=slug)
    return _area_page(
        request,
        organisation_ids=[organisation.pk],
        heading=organisation.name,
        caption=f"{organisation.get_kind_display()} · {organisation.area.name}",
        area=organisation.area,
        filename=organisation.slug,
    )


@require_http_methods(READ_ONLY)
def area(request, slug):
    area = get_object_or_404(Area, slug=slug)
    organisations = list(area.organisations.order_by("name"))
    return _area_page(
        request,
        organisation_ids=[o.pk for o in organisations],
        heading=area.name,
        caption=f"Area · {area.region}",
        area=area,
        filename=area.slug,
        organisations=organisations,
    )


def _area_page(request, *, organisation_ids, heading, caption, area, filename, organisations=()):
    manager = is_manager(request.user)
    wanted = request.GET.get("framework", "")
    view = build_area_dashboard(
        organisation_ids=organisation_ids,
        framework_key_wanted=wanted,
        visible=None if manager else Inspection.objects.visible_to(request.user),
        with_national=manager,
    )
    if not view.rows and not manager:
        raise Http404("No inspection you can see.")
    context = {
        "view": view,
        "heading": heading,
        "caption": caption,
        "area": area,
        "organisations": organisations,
        "is_manager": manager,
        "csv_query": _csv_query(request),
        "active_tab": "national",
    }
    if view.structure is not None:
        chosen = framework_key(view.structure.framework)
        context["framework_key"] = chosen
        context["framework_choices"] = [(key, name, key == chosen) for key, name in view.frameworks]
        if wanted and wanted != chosen:
            context["framework_error"] = (
                "Framework: select one of the frameworks listed; "
                f"{heading} has no inspections on “{wanted}”"
            )
            return render(request, "reports/dashboard_area.html", context)
    table = _wants_csv(request)
    if table is not None and view.structure is not None:
        return _area_csv(view, table, f"{filename}-{framework_key(view.structure.framework)}")
    if view.structure is not None:
        context["trend"] = [(row, rating_cells(row.cells, row.label)) for row in view.rows]
        context["trend_chart"] = charts.stacked_bar_chart(
            [
                charts.StackedRow(
                    _row_label(row, view),
                    [
                        charts.Segment(name, sum(1 for c in row.cells if c.label == name))
                        for name in (*RATING_NAMES, NOT_RATED)
                    ],
                )
                for row in view.rows
            ],
            series=(*RATING_NAMES, NOT_RATED),
            title=f"Ratings over time, {heading}",
            description=(
                "For each inspection, oldest first, how many standards had each rating. "
                "The ratings trend table gives each standard's rating."
            ),
            chart_id="trend-chart",
            label_width=200 if view.several_organisations else 90,
        )
        context["sections"] = [
            (
                row,
                _questions_chart(
                    [(q.key_question.code, q.figure, q.national) for q in row.questions],
                    chart_id=f"questions-chart-{row.inspection.reference}-{row.organisation.slug}",
                    title=f"Key questions, {row.organisation.name}, {row.label}",
                    description=(
                        "Share of applicable cases answered Yes for each key question, with 95% "
                        "confidence intervals"
                        + (
                            "; the black mark is the national figure."
                            if view.with_national
                            else "."
                        )
                        + " The table after the chart gives each figure as n of N."
                    ),
                    marker_label="national figure" if view.with_national else "",
                ),
            )
            for row in view.newest_first
        ]
    return render(request, "reports/dashboard_area.html", context)


def _row_label(row, view) -> str:
    if view.several_organisations:
        return f"{row.organisation.name[:18]}, {row.label}"
    return row.label


def _area_csv(view, table: str, filename: str) -> HttpResponse:
    if table == "ratings":
        rows = [
            [
                "organisation",
                "inspection",
                "fieldwork start",
                "cases scored",
                *[f"{s.code} {s.title}" for s in view.standards],
                "overall",
            ]
        ]
        for row in view.rows:
            rows.append(
                [
                    row.organisation.name,
                    row.inspection.reference,
                    row.inspection.fieldwork_start.isoformat(),
                    row.cases_counted,
                    *[c.label for c in row.cells],
                    row.overall or NOT_RATED,
                ]
            )
        return csv_response(f"ratings-{filename}.csv", rows)
    if table == "questions":
        header = ["organisation", "inspection", "fieldwork start", "key question", "text"]
        header += ["yes", "applicable", "percent", "ci_low", "ci_high", "small_sample"]
        if view.with_national:
            header += ["national yes", "national applicable", "national percent", "compared"]
        rows = [header]
        for row in view.rows:
            for q in row.questions:
                line = [
                    row.organisation.name,
                    row.inspection.reference,
                    row.inspection.fieldwork_start.isoformat(),
                    q.key_question.code,
                    q.key_question.text,
                    *figure_columns(q.figure),
                ]
                if view.with_national:
                    national = q.national or Figure(Tally())
                    line += [
                        national.yes,
                        national.applicable,
                        "" if national.percent is None else national.percent,
                        q.comparison.verdict if q.comparison else "",
                    ]
                rows.append(line)
        return csv_response(f"key-questions-{filename}.csv", rows)
    _unknown_table(table)


# --------------------------------------------------------------------------- drill-down


@require_http_methods(READ_ONLY)
def cases(request, reference, organisation):
    """The scored cases behind one cell: a standard's rating or a key question's result."""
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    organisation = get_object_or_404(
        inspection.organisations.select_related("area"), slug=organisation
    )
    structure = framework_structure(inspection.framework)
    standard_code = request.GET.get("standard", "").strip()
    question_code = request.GET.get("question", "").strip()
    standard = key_question = None
    if standard_code:
        standard = structure.standard(standard_code)
        if standard is None:
            raise Http404(f"{inspection.framework} has no standard {standard_code}.")
        key_questions = standard.key_questions
    elif question_code:
        key_question = structure.key_question(question_code)
        if key_question is None:
            raise Http404(f"{inspection.framework} has no key question {question_code}.")
        key_questions = (key_question,)
        standard = structure.standard(key_question.standard_code)
    else:
        raise Http404("Say which standard or key question: ?standard= or ?question=.")

    judged_by_cases = standard.is_case_judged
    behind = cell_cases(
        inspection=inspection,
        organisation=organisation,
        key_questions=key_questions if judged_by_cases else (),
    )
    cell = None
    if standard_code:
        from judgements.models import OrganisationRating

        lead = dict(
            OrganisationRating.objects.filter(
                inspection=inspection, organisation=organisation, standard_id=standard.id
            ).values_list("standard_id", "rating")
        )
        cell = rate_standard(
            standard,
            {kq.id: f.tally for kq, f in zip(behind.key_questions, behind.figures, strict=True)},
            lead,
            structure.rules,
        )
    table = _wants_csv(request)
    if table == "figures":
        header = ["key question", "text", "yes", "applicable", "percent", "ci_low", "ci_high"]
        return csv_response(
            f"figures-{inspection.reference}-{organisation.slug}-"
            f"{standard_code or question_code}.csv",
            [header + ["small_sample"]]
            + [
                [kq.code, kq.text, *figure_columns(figure)]
                for kq, figure in zip(behind.key_questions, behind.figures, strict=True)
            ],
        )
    if table is not None:
        if table != "cases":
            _unknown_table(table)
        header = ["case", "sample", "status", *[kq.code for kq in behind.key_questions]]
        return csv_response(
            f"cases-{inspection.reference}-{organisation.slug}-"
            f"{standard_code or question_code}.csv",
            [header]
            + [
                [r.reference, r.sample_type, r.status, *[v or "" for v in r.answers]]
                for r in behind.rows
            ],
        )
    try:
        standard_url = reverse("reports:ratings_standard", args=[reference, standard.code])
        standard_url += f"?organisation={organisation.slug}"
    except NoReverseMatch:
        standard_url = ""
    return render(
        request,
        "reports/dashboard_cases.html",
        {
            "inspection": inspection,
            "organisation": organisation,
            "standard": standard,
            "key_question": key_question,
            "cell": cell,
            "behind": behind,
            "figures": list(zip(behind.key_questions, behind.figures, strict=True)),
            "standard_url": standard_url,
            "is_manager": is_manager(request.user),
            "csv_query": _csv_query(request),
            "active_tab": "national",
        },
    )


# --------------------------------------------------------------------------- referrals


@require_http_methods(READ_ONLY)
def referrals(request):
    require_manager(request.user)
    form = _filter_form(request, all_frameworks=True)
    context = {"form": form, "active_tab": "referrals"}
    if not form.is_valid():
        return _invalid(request, "reports/dashboard_referrals.html", context)
    filters = form.filters()
    organisation_slug = slug_from_query(request, "organisation")
    area_slug = slug_from_query(request, "area")
    by_organisation, by_area, total = referral_tracker(filters)
    waiting = referrals_waiting(filters, organisation=organisation_slug, area=area_slug)

    table = _wants_csv(request)
    if table is not None:
        return _referrals_csv(table, by_organisation, by_area, waiting)

    page = Paginator(waiting, REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    for referral in page.object_list:
        referral.why_listed = why_listed(referral)
    query = request.GET.copy()
    query.pop("page", None)
    narrowed_to = ""
    if organisation_slug:
        narrowed_to = next((r.name for r in by_organisation if r.slug == organisation_slug), "")
    elif area_slug:
        narrowed_to = next((r.name for r in by_area if r.area_slug == area_slug), "")
    context.update(
        by_organisation=by_organisation,
        by_area=by_area,
        total=total,
        page=page,
        query=query.urlencode(),
        csv_query=_csv_query(request),
        narrowed_to=narrowed_to,
        narrowed=bool(organisation_slug or area_slug),
        clear_query=_without(request, "organisation", "area", "page"),
        today=date.today(),  # noqa: DTZ011 - a date, shown only
    )
    return render(request, "reports/dashboard_referrals.html", context)


def _without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _tracker_columns(row) -> list:
    return [
        row.referrals,
        row.no_response,
        row.not_followed_up,
        "" if row.average_days is None else row.average_days,
        "" if row.longest_days is None else row.longest_days,
    ]


def _referrals_csv(table, by_organisation, by_area, waiting) -> HttpResponse:
    counts = [
        "referrals",
        "no response",
        "not followed up",
        "average days waited",
        "longest days waited",
    ]
    if table == "organisations":
        return csv_response(
            "referrals-by-organisation.csv",
            [["organisation", "area", "region", *counts]]
            + [[r.name, r.area_name, r.region, *_tracker_columns(r)] for r in by_organisation],
        )
    if table == "areas":
        return csv_response(
            "referrals-by-area.csv",
            [["area", "region", *counts]]
            + [[r.area_name, r.region, *_tracker_columns(r)] for r in by_area],
        )
    if table == "waiting":
        rows = [
            [
                "case",
                "organisation",
                "area",
                "inspection",
                "referral date",
                "response date",
                "timely",
                "satisfactory",
                "followed up",
                "escalated",
                "days waited",
                "why listed",
            ]
        ]
        for referral in waiting.iterator(chunk_size=2000):
            case = referral.case
            rows.append(
                [
                    case.reference,
                    case.organisation.name,
                    case.organisation.area.name,
                    case.inspection.reference,
                    referral.referral_date.isoformat(),
                    referral.response_date.isoformat() if referral.response_date else "",
                    _yes_no(referral.response_timely),
                    _yes_no(referral.response_satisfactory),
                    _yes_no(referral.followed_up),
                    _yes_no(referral.escalated),
                    referral.waited.days if referral.waited is not None else "",
                    why_listed(referral),
                ]
            )
        return csv_response("referrals-waiting.csv", rows)
    _unknown_table(table)


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "not known")


def why_listed(referral) -> str:
    if referral.response_date is None:
        return "No response recorded"
    problems = []
    if referral.response_timely is False:
        problems.append("late")
    if referral.response_satisfactory is False:
        problems.append("unsatisfactory")
    return f"Response {' and '.join(problems)}, not followed up"
