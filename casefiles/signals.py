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
