"""Publisher rules: claim before send, backoff retries, failure after N tries, stale claims."""

import socket
from datetime import timedelta

import pytest
from concurrency_support import run_concurrently
from django.utils import timezone

from igny8_core.publishing.models import WordPressConnection
from igny8_core.publishing.publisher import (
    claim,
    publish_content,
    publish_due,
    release_stale_claims,
)
from igny8_core.writer.models import Content

from .conftest import make_content


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"  # nothing listens once closed


@pytest.fixture
def unreachable_wordpress(alice_site):
    connection = WordPressConnection(site=alice_site, url=closed_port_url(), username="editor")
    connection.application_password = "abcd efgh ijkl mnop"
    connection.save()
    return connection


def test_no_connection_fails_at_once_with_reason(alice_site):
    content = make_content(alice_site, in_article=0, featured=False)
    assert publish_content(content.id) == "failed"
    content.refresh_from_db()
    assert content.site_status == Content.SiteStatus.FAILED
    assert "no active WordPress connection" in content.publish_error
    assert content.publish_attempts == 1


def test_transient_errors_back_off_then_fail_after_max_attempts(settings, unreachable_wordpress, alice_site):
    settings.PUBLISH_MAX_ATTEMPTS = 3
    settings.PUBLISH_RETRY_BASE_SECONDS = 10
    content = make_content(alice_site, in_article=0, featured=False)
    now = timezone.now()
    delays = []
    for attempt in (1, 2):
        assert publish_content(content.id, now=now) == "retry"
        content.refresh_from_db()
        assert content.site_status == Content.SiteStatus.SCHEDULED
        assert content.publish_attempts == attempt
        assert f"Attempt {attempt} failed: Could not connect to " in content.publish_error
        unreachable_wordpress.refresh_from_db()  # the dashboard warns: the connection is failing
        assert unreachable_wordpress.last_test_ok is False
        assert "Could not connect to " in unreachable_wordpress.last_test_error
        delays.append((content.scheduled_publish_at - now).total_seconds())
        assert publish_content(content.id, now=now) == "skipped"  # not due again yet
        now = content.scheduled_publish_at
    assert delays == [10, 20]  # exponential backoff

    assert publish_content(content.id, now=now) == "failed"
    content.refresh_from_db()
    assert content.site_status == Content.SiteStatus.FAILED
    assert content.publish_attempts == 3
    assert "gave up after 3 attempts" in content.publish_error


def test_claim_is_won_once_and_only_when_due(alice_site):
    content = make_content(
        alice_site, in_article=0, featured=False, scheduled_publish_at=timezone.now() + timedelta(hours=1)
    )
    assert claim(content.id, timezone.now()) is False
    later = timezone.now() + timedelta(hours=2)
    assert claim(content.id, later) is True
    assert claim(content.id, later) is False
    content.refresh_from_db()
    assert content.site_status == Content.SiteStatus.PUBLISHING and content.publish_attempts == 1


def test_stale_claims_of_dead_workers_are_released(settings, alice_site):
    settings.PUBLISH_CLAIM_TIMEOUT = 60
    now = timezone.now()
    stale = make_content(
        alice_site, title="stale", in_article=0, featured=False, scheduled_publish_at=now - timedelta(hours=1)
    )
    fresh = make_content(alice_site, title="fresh", in_article=0, featured=False)
    assert claim(stale.id, now - timedelta(minutes=5)) and claim(fresh.id, now)

    assert release_stale_claims(now) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.site_status == Content.SiteStatus.SCHEDULED and stale.scheduled_publish_at == now
    assert fresh.site_status == Content.SiteStatus.PUBLISHING


def test_tick_schedules_approved_content_of_auto_publish_sites(alice_site, bob_site):
    from igny8_core.publishing.models import PublishingSettings

    PublishingSettings.objects.create(site=alice_site, auto_publish_enabled=True, scheduling_mode="immediate")
    PublishingSettings.objects.create(site=bob_site, auto_publish_enabled=False, scheduling_mode="immediate")
    mine = make_content(alice_site, due=False, in_article=0, featured=False)
    theirs = make_content(bob_site, due=False, in_article=0, featured=False)

    counts = publish_due(now=timezone.now() - timedelta(minutes=5))  # slots are in the future: nothing due

    assert counts["scheduled"] == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.site_status == Content.SiteStatus.SCHEDULED and mine.scheduled_publish_at
    assert theirs.site_status == Content.SiteStatus.NOT_PUBLISHED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_threads_racing_for_one_item_publish_it_once(wordpress, wp_connection, alice_site):
    content = make_content(alice_site, title="Raced by two threads", in_article=1)
    outcomes, errors = run_concurrently(2, lambda i: publish_content(content.id), timeout=60)
    assert errors == []
    assert sorted(outcomes) == ["published", "skipped"]
    found = wordpress.rest("/wp/v2/posts", search="Raced by two threads", status="publish,draft")
    assert len(found) == 1
    content.refresh_from_db()
    assert content.publish_attempts == 1 and content.external_id == str(found[0]["id"])


def test_fresh_install_has_the_publisher_in_beat_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    from igny8_core.celery import app

    task = PeriodicTask.objects.get(task="igny8_core.publishing.tasks.publish_due_content")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")
    assert task.expire_seconds and task.expire_seconds < 60
    app.loader.import_default_modules()
    assert task.task in app.tasks
