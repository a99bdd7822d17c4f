"""Celery task: send one event to a site's notification targets (never raises)."""

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(ignore_result=True, soft_time_limit=120, time_limit=150)  # type: ignore[untyped-decorator]
def send_notification(site_id: int, event: str, title: str, body: str) -> int:
    """Returns how many targets received it."""
    try:
        return sum(d.ok for d in services.send_to_site(site_id, event, title, body))
    except Exception:
        log.exception("The %s notification of site %s failed", event, site_id)
        return 0
