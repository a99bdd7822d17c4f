"""A publisher tick may run long (many items, a slow WordPress). Each claim must carry the time
it was really taken, not the tick's start: otherwise a concurrent tick sees the fresh claim of a
late item as the stale claim of a dead worker, releases it and publishes it a second time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from igny8_core.publishing import publisher
from igny8_core.publishing.models import WordPressConnection
from igny8_core.publishing.publisher import (
    Published,
    WordPressPublisher,
    publish_due,
    release_stale_claims,
)
from igny8_core.writer.models import Content

from .conftest import make_content

pytestmark = pytest.mark.django_db


def test_late_item_of_a_long_tick_is_not_released_by_a_concurrent_tick(settings, alice_site, monkeypatch):
    settings.PUBLISH_CLAIM_TIMEOUT = 60
    tick_started = timezone.now() - timedelta(minutes=5)  # busy with earlier items for 5 minutes
    content = make_content(
        alice_site, in_article=0, featured=False, scheduled_publish_at=tick_started - timedelta(minutes=1)
    )
    released_meanwhile = []

    def publish(self, item):
        released_meanwhile.append(release_stale_claims(timezone.now()))  # another worker's tick
        return Published(post_id=7, url="https://wp.example.com/?p=7")

    connection = WordPressConnection(site=alice_site)  # never saved: the publish is stubbed below
    monkeypatch.setattr(publisher, "_active_connection", lambda site_id: connection)
    monkeypatch.setattr(WordPressPublisher, "__init__", lambda self, connection, client=None: None)
    monkeypatch.setattr(WordPressPublisher, "publish", publish)

    counts = publish_due(now=tick_started)

    assert released_meanwhile == [0]
    assert counts.get("published") == 1
    content.refresh_from_db()
    assert content.site_status == Content.SiteStatus.PUBLISHED and content.publish_attempts == 1
