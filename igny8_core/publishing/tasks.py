"""Celery tasks of publishing: load ids, call the publisher. Beat runs publish_due_content every
minute (registered by migration 0002, so a fresh install has it)."""

from celery import shared_task

from .publisher import publish_content, publish_due


@shared_task(name="igny8_core.publishing.tasks.publish_due_content", ignore_result=True)
def publish_due_content() -> dict[str, int]:
    return publish_due()


@shared_task(name="igny8_core.publishing.tasks.publish_content_task", ignore_result=True)
def publish_content_task(content_id: int) -> str:
    """Publish one due item (used to retry by hand and by tests racing two workers)."""
    return publish_content(content_id)
