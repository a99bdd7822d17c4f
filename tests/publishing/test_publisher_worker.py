"""Two real Celery worker threads racing for the same due item publish it exactly once."""

import uuid

import pytest
from celery_support import running_worker

from igny8_core.publishing.tasks import publish_content_task

from .conftest import make_content

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_workers_racing_publish_once(wordpress, wp_connection, alice_site):
    content = make_content(alice_site, title="Raced by two Celery workers", in_article=1)
    queue = f"publishing-race-{uuid.uuid4().hex[:8]}"  # our own queue: no stray messages of other tests
    with running_worker(queues=[queue], pool="threads", concurrency=2):
        results = [publish_content_task.apply_async((content.id,), queue=queue, ignore_result=False) for _ in range(2)]
        outcomes = sorted(r.get(timeout=90) for r in results)

    assert outcomes == ["published", "skipped"]
    found = wordpress.rest("/wp/v2/posts", search="Raced by two Celery workers", status="publish,draft")
    assert len(found) == 1 and found[0]["status"] == "publish"
    content.refresh_from_db()
    assert content.publish_attempts == 1
    assert content.external_url == found[0]["link"]
