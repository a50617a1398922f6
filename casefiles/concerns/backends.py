"""Who is signed in, read with whether a safeguarding concern waits for them.

Every page shows a lead inspector the concerns raised on their inspections and not yet
acknowledged (casefiles.context_processors.concern_alerts). Nearly everyone signed in at any
moment has none, so the person's row is read with one more column, whether any such concern
exists, and the banner's own query runs only when one does.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef

from inspection.models import Membership

from .models import Concern

# Set on the user that get_user reads; a user read any other way has no such attribute.
WAITING = "concerns_waiting"


def waiting_for(user_ref) -> Exists:
    """Whether a concern waits for acknowledgement by the person at ``user_ref``: raised on an
    inspection whose lead they are (lead_alerts lists them)."""
    return Exists(
        Concern.objects.filter(
            status=Concern.Status.RAISED,
            inspection__memberships__user=user_ref,
            inspection__memberships__role=Membership.Role.LEAD,
        )
    )


class SignedInBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions), reading the person on each request
    with whether a concern waits for them."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.annotate(**{WAITING: waiting_for(OuterRef("pk"))}).get(
                pk=user_id
            )
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
