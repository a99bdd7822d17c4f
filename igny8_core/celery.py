"""The Celery app. Periodic tasks live in django-celery-beat's tables (registered on migrate)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igny8_core.settings")

app = Celery("igny8_core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
