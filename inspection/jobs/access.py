from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from inspection.models import Inspection, Job


def job_for_user(user, public_id) -> Job:
    """The job, if `user` asked for it and may still read its inspection; else 404.

    Nobody else sees a job, not even a manager: its file may hold what only the person who
    asked was shown. Someone taken off the inspection's team loses their jobs for it too.
    """
    if not user.is_authenticated:
        raise Http404
    job = (
        Job.objects.filter(public_id=public_id, user=user)
        .filter(Q(inspection__isnull=True) | Q(inspection__in=Inspection.objects.visible_to(user)))
        .select_related("inspection")
        .first()
    )
    if job is None:
        raise Http404
    return job


def job_url(job: Job) -> str:
    return reverse("jobs:detail", kwargs={"public_id": job.public_id})
