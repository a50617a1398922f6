"""Data retention: after publication, an inspection's personal case data is deleted.

``case_data_purge`` deletes everything the case files held and everything decided about each
case: the cases and every part of their files, the answers and evidence notes, quality
assurance (moderation decisions and returned questions), the record of who read each case
file, the per-case audit trail, the sample draw and the uploaded populations it was drawn
from (case references, dates, classifications), and the pseudonyms (they are keyed by real
names). It keeps the inspection, its team, its framework version, the lead inspector's
organisation-level ratings with their audit rows (which name no case), and the report's text
with its edit history, and the safeguarding concerns raised during the inspection, reduced to
what the record of them needs (`casefiles.concerns.services.concern_details_remove`: the
urgency, the dates, who took each step, the organisation referred to and the outcome; not the
child, what was found, the person referred to, their reference or the response's text).

In the same transaction it writes one ``CaseDataPurge`` row holding what must outlive the
cases: who deleted and when, how many rows of each kind went, the ratings roll-up exactly as
``manage.py inspection_ratings REF --json`` prints it (so every rating stays explainable down
to its counts), and the report rendered as a PDF, with its changed names, just before.

Why not an AuditEvent row: AuditEvent rows about a case are deleted with it (their ``case``
key cascades), which is part of the point. The deletion itself is recorded in
``CaseDataPurge``, which names no case and stops the inspection being deleted (PROTECT).

Retention is the one place where the ``inspection`` app uses ``reports``: freezing the ratings
and the rendered report is part of deleting what they were computed from.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone

from casefiles.concerns.services import concern_details_remove
from casefiles.models import (
    Case,
    CaseFileChange,
    Requirement,
    SampleDraw,
    SamplePopulation,
)
from casefiles.parts import PARTS
from inspection.access import role_on
from inspection.models import CaseDataPurge, Inspection
from inspection.permissions import may_purge_case_data
from judgements.models import Answer, AuditEvent, ModerationDecision, ReadRecord
from judgements.tallies import tallies_forget

CASE_FILE_PARTS = tuple(part.model for part in PARTS)


class PurgeRefused(Exception):
    """The case data cannot be deleted: the message says why, for a person to read."""


def case_data_counts(inspection: Inspection) -> dict[str, int]:
    """How many rows of each kind a purge of this inspection would delete (changes nothing)."""
    of_cases = {"case__inspection": inspection}
    parts = sum(model.objects.filter(**of_cases).count() for model in CASE_FILE_PARTS)
    parts += Requirement.objects.filter(order__case__inspection=inspection).count()
    return {
        "cases": Case.objects.filter(inspection=inspection).count(),
        "answers": Answer.objects.filter(**of_cases).count(),
        "case_file_parts": parts,
        "moderation_decisions": ModerationDecision.objects.filter(**of_cases).count(),
        "case_audit_events": AuditEvent.objects.filter(**of_cases).count(),
        # The case files' own trail goes with them, as the answers' trail does.
        "case_file_changes": CaseFileChange.objects.filter(**of_cases).count(),
        "read_records": ReadRecord.objects.filter(**of_cases).count(),
        "sample_populations": SamplePopulation.objects.filter(inspection=inspection).count(),
    }


def purge_check(*, inspection: Inspection, actor) -> None:
    """Raise PurgeRefused if this person may not delete this inspection's case data now."""
    from reports.writing.check import publication_check

    if inspection.status != Inspection.Status.PUBLISHED:
        raise PurgeRefused(
            f"{inspection.reference} is not published (it is at the stage "
            f"'{Inspection.Status(inspection.status).label}'): case data is deleted only once "
            "the inspection is published."
        )
    done = CaseDataPurge.objects.filter(inspection=inspection).select_related("purged_by").first()
    if done is not None:
        raise PurgeRefused(
            f"The case data of {inspection.reference} was already deleted on "
            f"{timezone.localtime(done.purged_at):%d %B %Y at %H:%M} by {done.purged_by}."
        )
    if not may_purge_case_data(role_on(actor, inspection), actor):
        raise PurgeRefused(
            f"{actor.username} may not delete case data: only an administrator or the lead "
            f"inspector of {inspection.reference} may."
        )
    names = publication_check(inspection)
    if names:
        where = sorted({finding.location for finding in names})
        raise PurgeRefused(
            f"The report's text still holds {len(names)} real name(s) from the case files "
            f"({'; '.join(where)}). Change them on the report's 'Check before publication' "
            "page first: once the case files are deleted they can no longer be found."
        )


@transaction.atomic
def case_data_purge(*, inspection: Inspection, actor) -> CaseDataPurge:
    """Delete a published inspection's personal case data, keeping its results and report.

    Everything or nothing: the ratings and the PDF are made first, and if either fails,
    nothing is deleted. Refuses (PurgeRefused) an unpublished inspection, a second purge,
    someone who is neither an administrator nor the lead, and a report whose text still
    holds a real name from the case files (it could no longer be changed once they are gone).
    """
    # Imported here: only retention reaches into reports (see the module's docstring).
    from reports.models import Pseudonym
    from reports.ratings.document import rating_document
    from reports.ratings.selectors import inspection_rating
    from reports.writing.pdf import report_pdf

    # Two purges of one inspection take turns on the inspection's row lock.
    inspection = (
        Inspection.objects.select_for_update().select_related("framework").get(pk=inspection.pk)
    )
    purge_check(inspection=inspection, actor=actor)
    # Every save to a case locks its row first (judgements.services), so with the cases
    # locked no answer changes between freezing the ratings and deleting what they count.
    list(Case.objects.select_for_update().filter(inspection=inspection).values_list("pk"))
    ratings = rating_document(inspection_rating(inspection))
    pdf, filename = report_pdf(inspection)

    # Before the cases go: the concerns stay, without the personal details they held.
    concern_details_remove(inspection=inspection, actor=actor)
    deleted: Counter[str] = Counter()
    for queryset in (
        # The draw first, so deleting the cases does not first unlink its entries one by one.
        SampleDraw.objects.filter(inspection=inspection),
        SamplePopulation.objects.filter(inspection=inspection),
        Case.objects.filter(inspection=inspection),
        Pseudonym.objects.filter(inspection=inspection),
    ):
        _total, per_model = queryset.delete()
        deleted.update(per_model)
    # The answers counted in the tallies are gone; the frozen ratings above keep the results.
    tallies_forget(inspection_ids=[inspection.pk])
    return CaseDataPurge.objects.create(
        inspection=inspection,
        purged_by=actor,
        purged_at=timezone.now(),
        cases_deleted=deleted["casefiles.Case"],
        answers_deleted=deleted["judgements.Answer"],
        deleted=dict(sorted((label, n) for label, n in deleted.items() if n)),
        ratings=ratings,
        report_pdf=pdf,
        report_filename=filename,
    )
