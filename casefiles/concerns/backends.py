"""Who is signed in, read with whether a safeguarding concern waits for them.

Every page shows a lead inspector the concerns raised on their inspections and not yet
acknowledged (casefiles.context_processors.concern_alerts). Nearly everyone signed in at any
moment has none, so the person's row is read with one more column, whether any such concern
exists, and the banner's own query runs only when one does.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection

from inspection.models import Membership

from .models import Concern

# Set on the user that get_user reads; a user read any other way has no such attribute.
WAITING = "concerns_waiting"


@cache
def _user_sql() -> str:
    """The person's row and whether a concern waits for them (lead_alerts lists them): raised
    on an inspection whose lead they are. Written as SQL: the ORM took three times as long to
    build the EXISTS as the database took to answer it, on every request."""
    users, concerns, members = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (get_user_model(), Concern, Membership)
    )
    return (
        f"SELECT u.*, EXISTS (SELECT 1 FROM {concerns} c "  # noqa: S608 - table names only
        f"JOIN {members} m ON m.inspection_id = c.inspection_id "
        f"WHERE c.status = %s AND m.role = %s AND m.user_id = u.id) AS {WAITING} "
        f"FROM {users} u WHERE u.id = %s"
    )


class SignedInBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), reading the person on each request
    with whether a concern waits for them."""

    def get_user(self, user_id):
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except Exception:  # noqa: BLE001 - a session naming no valid id signs nobody in
            return None
        found = list(
            get_user_model()._default_manager.raw(
                _user_sql(), [Concern.Status.RAISED, Membership.Role.LEAD, pk]
            )
        )
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None
