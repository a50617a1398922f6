"""What moves the generation of the cached pages on besides the figures (judgements.tallies
moves it with every tally and rating): a whole national page is kept under that one number
(reports.dashboards.cache.cached_page), so everything it shows is here.

- The dashboards: the inspections, their dates, framework and organisations (which
  inspection is each organisation's latest, and the default framework), the organisations
  and their areas (the regions offered in the filters), and the frameworks offered.
- The layout around every page: the safeguarding concerns (the lead's alerts, the open and
  overdue counts) and the teams (whose concerns and inspections a person sees).

Each receiver marks the change in this process at once and stores it when the transaction
commits (judgements.tallies.pages_changed).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from casefiles.concerns.models import Concern
from inspection.models import Area, Framework, Inspection, Membership, Organisation
from judgements.tallies import pages_changed

SHOWN = (Inspection, Organisation, Area, Framework, Concern, Membership)


def _changed(sender, action: str = "post_save", **kwargs) -> None:
    if action.startswith("post_"):  # not twice for each change to the organisations
        pages_changed()


def connect() -> None:
    for model in SHOWN:
        for signal in (post_save, post_delete):
            signal.connect(_changed, sender=model, dispatch_uid=f"pages-{model.__name__}")
    m2m_changed.connect(
        _changed,
        sender=Inspection.organisations.through,
        dispatch_uid="pages-inspection-organisations",
    )
