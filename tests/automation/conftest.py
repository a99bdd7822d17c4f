"""Fixtures of the automation tests: log/media roots in tmp dirs, fast pipeline timings,
keywords to feed the pipeline, and a clean Redis lock / throttle state per test."""

import pytest

from igny8_core.automation import lock as site_lock


@pytest.fixture(autouse=True)
def automation_settings(settings, tmp_path):
    settings.IGNY8_LOG_ROOT = tmp_path / "logs"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IGNY8_AI_PROVIDER = "demo"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast fixtures
    # Unit tests run inside a transaction the heartbeat thread's own connection cannot see:
    # keep it quiet there; the worker tests set real (tiny) intervals.
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 3600
    return settings


@pytest.fixture(autouse=True)
def clean_redis_keys():
    """Lock keys and run_now throttle counters of earlier tests must not leak (our Redis db only)."""
    client = site_lock.client()

    def wipe():
        for pattern in ("automation_lock_*", "*throttle_run_now*"):
            for key in client.scan_iter(match=pattern, count=500):
                client.delete(key)

    wipe()
    yield
    wipe()


@pytest.fixture
def small_site(alice_site):
    """A site with few images per article so image generation stays quick."""
    alice_site.in_article_images = 1
    alice_site.save()
    return alice_site
