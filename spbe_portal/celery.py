"""The Celery application. Settings come from Django's (the CELERY_ prefix); tasks are discovered
in every installed app's ``tasks.py``. Start a worker with ``make worker``, the scheduler with
``make beat`` (see docs/deployment.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spbe_portal.settings")

app = Celery("spbe_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
