"""Downloads of an inspection's data: the answers extract (CSV, Excel) and the whole inspection.

The inspection's team and administrators may download the answers extract; managers with
no place on the team may not (inspection.permissions.may_export_answers): its evidence
notes are written about named children. The whole inspection file, which holds the case
files' personal details, is for the lead inspector and administrators only. Every download
is a GET link that answers with an attachment and is never cached.
"""

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casefiles.models import Case
from inspection.access import inspection_access
from judgements.models import Answer
from reports.exchange.answers import answers_csv_lines, answers_xlsx
from reports.exchange.export import inspection_export
from reports.exchange.format import exchange_json

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "HEAD"])
def exchange(request, reference):
    access = inspection_access(request.user, reference)
    inspection = access.inspection
    return render(
        request,
        "reports/exchange.html",
        {
            "inspection": inspection,
            "access": access,
            "cases": Case.objects.filter(inspection=inspection).count(),
            "answers": Answer.objects.filter(case__inspection=inspection).count(),
            "can_export_inspection": access.may_export_inspection,
            "can_export_evidence": access.may_export_answers,
            "active_tab": "export",
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def answers_csv(request, reference):
    access = inspection_access(request.user, reference)
    access.require(access.may_export_answers)
    response = StreamingHttpResponse(
        answers_csv_lines(access.inspection), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, f"{access.inspection.reference}-answers.csv")


@never_cache
@require_http_methods(["GET", "HEAD"])
def answers_excel(request, reference):
    access = inspection_access(request.user, reference)
    access.require(access.may_export_answers)
    response = HttpResponse(answers_xlsx(access.inspection), content_type=XLSX)
    return _attachment(response, f"{access.inspection.reference}-answers.xlsx")


@never_cache
@require_http_methods(["GET", "HEAD"])
def inspection_file(request, reference):
    access = inspection_access(request.user, reference)
    access.require(access.may_export_inspection)
    text = exchange_json(inspection_export(access.inspection))
    response = HttpResponse(text.encode("utf-8"), content_type="application/json; charset=utf-8")
    return _attachment(response, f"{access.inspection.reference}.json")
