"""Signals casefiles offers to the apps above it.

casefiles does not know who keeps a record of reading (that is `judgements`, above it), so it
announces what happened and the app that cares connects in its AppConfig.ready.
"""

from django.dispatch import Signal

# A page showing a case's file was opened, and the request was allowed.
# Sent with case=<Case>, reader=<User>, page=<str: which page, e.g. "case file">.
# Receivers run in the request; an exception in one fails the request (send, not send_robust),
# so that a read that cannot be recorded is not shown.
case_file_opened = Signal()

# A case's details were saved (casefiles.services.case_save), in the saving transaction.
# Sent with case=<Case, as saved>, organisation_id=<int> and sample_type=<str>: the values
# before the save. The answer tallies (judgements) move a counted case's answers between
# groups when either changed; a receiver's exception undoes the save.
case_details_changed = Signal()
