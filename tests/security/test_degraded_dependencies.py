"""Redis or PostgreSQL down or full: 503 service_unavailable (never a 500), throttles fail open,
and /api/v1/health/ names what fails. Real servers: a private redis-server started and killed
here, PostgreSQL refusing connections (a closed port, a role with no connection slots left)."""

import logging
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis
from celery_support import running_worker
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.celery import app
from igny8_core.health import WORKER_SEEN_KEY, record_worker_seen

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis():
    """A redis-server of this test's own, on a free port; `.kill()` stops it like a crash."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)

    def kill():
        process.kill()
        process.wait(timeout=10)

    process.url, process.kill_now = url, kill
    yield process
    if process.poll() is None:
        kill()


@contextmanager
def celery_broker(url: str):
    """Point the Celery app's publishing at `url` (its producer pools are rebuilt around it)."""
    saved = app.conf.broker_url
    app.conf.broker_url, app._pool, app.amqp._producer_pool = url, None, None
    try:
        yield
    finally:
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved, None, None


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def assert_unavailable(response, service: str):
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "service_unavailable" and body["service"] == service
    assert body["detail"]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@TRANSACTIONAL
def test_redis_down_throttles_fail_open_run_now_is_503_and_health_names_redis(
    settings, private_redis, alice, alice_site, bob, bob_site, caplog
):
    settings.REDIS_URL = private_redis.url
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": private_redis.url}}
    AutomationRun.objects.create(
        account_id=bob_site.account_id, site=bob_site, run_id="run_busy", status=RunStatus.RUNNING, epoch=1
    )
    anon, alice_api, bob_api = APIClient(), token_client(alice), token_client(bob)
    credentials = {"username": "alice", "password": "alice-pw-12345"}
    with celery_broker(private_redis.url):
        assert anon.post("/api/v1/auth/token/", credentials, format="json").status_code == 200  # Redis up
        private_redis.kill_now()

        with caplog.at_level(logging.WARNING, logger="igny8_core.api.throttles"):
            token = anon.post("/api/v1/auth/token/", credentials, format="json")
            login = anon.post("/api/v1/auth/login/", {**credentials, "password": "wrong"}, format="json")
        assert token.status_code == 200 and login.status_code == 400  # no Redis needed: they keep working
        assert "Rate limit 'auth_token' not applied" in caplog.text

        # A site with a run in progress still gets its 409 (the database decides that).
        busy = bob_api.post(f"/api/v1/automation/run_now/?site_id={bob_site.pk}")
        assert busy.status_code == 409 and busy.json()["code"] == "already_running"

        # Starting a run needs the task queue: 503, and the run does not block the site.
        assert_unavailable(alice_api.post(f"/api/v1/automation/run_now/?site_id={alice_site.pk}"), "redis")
        run = AutomationRun.objects.get(site=alice_site)
        assert run.status == RunStatus.FAILED and "could not be queued" in run.error_message

        assert alice_api.get(f"/api/v1/planner/keywords/?site_id={alice_site.pk}").status_code == 200

        health = anon.get("/api/v1/health/")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "failing" and body["code"] == "service_unavailable"
    assert body["database"] == "ok" and body["redis"].startswith("unavailable")
    assert "redis (unavailable" in body["detail"]


@contextmanager
def database_settings(**changes):
    """Reconnect the default database with other settings (and back, whatever happens)."""
    saved = {key: connection.settings_dict[key] for key in changes}
    connection.close()
    connection.settings_dict.update(changes)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@TRANSACTIONAL
def test_database_refusing_connections_is_503_and_health_names_it(alice):
    api = token_client(alice)
    with database_settings(HOST="127.0.0.1", PORT=str(free_port())):  # nothing listens there
        me = api.get("/api/v1/auth/me/")
        health = APIClient().get("/api/v1/health/")
        admin = APIClient().post("/admin/login/", {"username": "alice", "password": "x"})  # a non-API view
    assert_unavailable(me, "database")
    assert health.status_code == 503 and health.json()["database"].startswith("unavailable")
    assert "database (unavailable" in health.json()["detail"]
    assert admin.status_code == 503 and b"database is unavailable" in admin.content


@TRANSACTIONAL
def test_database_out_of_connection_slots_is_503(alice):
    """PostgreSQL at its connection limit refuses new ones ("too many connections"); a role
    whose limit is 0 gets that very answer on every attempt."""
    role = "igny8_security_no_slots"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")
    api = token_client(alice)
    try:
        with database_settings(USER=role, PASSWORD=""):
            response = api.get("/api/v1/auth/me/")
            with pytest.raises(Exception, match="too many connections"):
                connection.ensure_connection()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
    assert_unavailable(response, "database")


@pytest.mark.worker
@TRANSACTIONAL
def test_health_needs_a_recently_seen_worker(settings):
    redis.Redis.from_url(settings.REDIS_URL).delete(WORKER_SEEN_KEY)
    anon = APIClient()
    nobody = anon.get("/api/v1/health/")
    assert nobody.status_code == 503
    assert nobody.json()["worker"].startswith("no Celery worker seen") and nobody.json()["redis"] == "ok"
    with running_worker(queues=("default",)):
        alive = anon.get("/api/v1/health/")
    assert alive.status_code == 200
    assert alive.json() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}


@pytest.mark.django_db
def test_a_worker_seen_long_ago_no_longer_counts(settings):
    settings.HEALTH_WORKER_SEEN_WITHIN = 60
    client = redis.Redis.from_url(settings.REDIS_URL)
    record_worker_seen()
    assert APIClient().get("/api/v1/health/").status_code == 200
    client.set(WORKER_SEEN_KEY, time.time() - 61)
    assert APIClient().get("/api/v1/health/").json()["worker"] == "no Celery worker seen in the last 60 s"
