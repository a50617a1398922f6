"""`manage.py db_worker` that also knows the demo job kinds of tests/support/jobs_demo.py: the
worker processes of test_jobs_queue.py. Usage: PYTHONPATH=. python tests/support/jobs_worker.py
<db_worker options>."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from tests.support.jobs_demo import register_demo_kinds  # noqa: E402

register_demo_kinds()
call_command("db_worker", *sys.argv[1:])
