"""Where "Back" goes from a page opened from a list: the `back` query parameter the list put on
its links, accepted only when it is a path of this site under one of the lists that link to
cases, otherwise the page's own fallback. Nothing here reads the database."""

from dataclasses import dataclass
from urllib.parse import quote

from django.utils.http import url_has_allowed_host_and_scheme

from inspection import permissions
from inspection.dates import govuk_date

BACK = "back"
BACK_MAX = 1000
# The lists a case is opened from: dashboards (cases, referrals), an inspection's case list
# and QA list, the to-do list, the interview timetable, the home page.
BACK_PREFIXES = ("/dashboards/", "/inspections/", "/my-cases/", "/my-interviews/")


def safe_back(value: str | None) -> str | None:
    """The path to go back to, if it is a same-site path under an allowed list; else None."""
    if not value or len(value) > BACK_MAX:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or "\\" in value:
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None, require_https=False):
        return None
    if not value.startswith("/") or value.startswith("//"):
        return None
    if value != "/" and not value.startswith(BACK_PREFIXES):
        return None
    return value


def back_query(path: str) -> str:
    """`?back=<path>` for a link from a list to a case, or "" when the path is too long to carry."""
    if len(path) > BACK_MAX:
        return ""
    return f"?{BACK}={quote(path, safe='/')}"


@dataclass(frozen=True)
class Tab:
    key: str  # the view's `active_tab`
    label: str
    url_name: str


def inspection_tabs(access) -> list[Tab]:
    """The inspection's tabs this person can use, asked of the permissions (through `Access`).

    Every member of the team may open every tab's page; a tab is shown only where its page is
    part of the person's work: the lead sets up the sample, assigns, rates organisations and
    writes the report; quality assurance works the QA list; managers (no role on the team)
    oversee, so they see what they read; partners and inspectors see the cases, the ratings and
    the answers they may export."""
    role, user = access.role, access.user
    oversees = role is None  # a manager or administrator, reading any inspection
    shown = [
        (True, Tab("overview", "Overview", "inspection:detail")),
        (True, Tab("team", "Team", "inspection:team")),
        (True, Tab("cases", "Cases", "casefiles:list")),
        (access.may_set_up_sample or oversees, Tab("sample", "Sample", "casefiles:sample")),
        (access.may_assign_cases, Tab("assign", "Assign cases", "judgements:assign")),
        (
            permissions.is_moderator(role) or oversees,
            Tab("qa", "Quality assurance", "judgements:qa_list"),
        ),
        (
            access.may_rate_organisations,
            Tab("org", "Organisation ratings", "judgements:organisation_ratings"),
        ),
        (True, Tab("ratings", "Ratings", "reports:ratings")),
        (
            access.may_export_answers or access.may_export_inspection,
            Tab("export", "Export", "reports:exchange"),
        ),
        (
            access.may_write_report
            or permissions.is_moderator(role)
            or oversees
            or (user is not None and permissions.may_approve_reports(user, role)),
            Tab("report", "Report", "reports:report"),
        ),
        # Blind double scoring: the lead selects and reconciles; second readers have their
        # readings on their to-do list, so the tab is the lead's (and those who oversee).
        (
            access.may_assign_cases or oversees,
            Tab("second", "Second readings", "judgements:second_readings"),
        ),
        (
            access.may_assign_cases or permissions.is_moderator(role) or oversees,
            Tab("agreement", "Agreement", "judgements:agreement"),
        ),
    ]
    return [tab for allowed, tab in shown if allowed]


@dataclass(frozen=True)
class SelectedFilter:
    label: str
    value: str
    remove_url: str


def _without(query, drop) -> str:
    """The query string with the parameters `drop` says yes to removed (and the page number,
    since a filter removed changes the pages)."""
    kept = query.copy()
    for key in list(kept.keys()):
        if key == "page" or drop(key):
            del kept[key]
    encoded = kept.urlencode()
    return f"?{encoded}" if encoded else ""


def _belongs(key: str, name: str) -> bool:
    # A field's own parameter, or one of its parts (a GOV.UK date's day, month and year).
    return key == name or key.startswith(f"{name}_")


def selected_filters(form, path: str, query) -> tuple[list[SelectedFilter], str]:
    """The filters a valid, bound filter form applies, each with the address that drops just
    that one; and the address that drops them all (other parameters kept)."""
    if form is None or not form.is_bound or not form.is_valid():
        return [], ""
    selected = []
    names = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()) or not any(_belongs(k, name) for k in query):
            continue
        names.append(name)
        choices = dict(getattr(field, "choices", []) or [])
        if choices:
            shown = str(choices.get(value, choices.get(str(value), value)))
        elif hasattr(value, "year") and hasattr(value, "month"):
            shown = govuk_date(value)
        else:
            shown = str(value)
        selected.append(
            SelectedFilter(
                label=str(field.label or name),
                value=shown,
                remove_url=path + _without(query, lambda k, n=name: _belongs(k, n)),
            )
        )
    clear = path + _without(query, lambda k: any(_belongs(k, n) for n in names))
    return selected, clear
