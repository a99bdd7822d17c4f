"""Browser end-to-end harness: the real product, started as its own processes.

A fresh database (`<DATABASE_URL name>_e2e`, or a SQLite file when DATABASE_URL is not
PostgreSQL), a Redis database of its own (E2E_REDIS_URL, default db 14 of REDIS_URL's
server: a Celery worker of another test must never take our tasks), gunicorn serving the
API and the built dashboard with DEBUG off, and a Celery worker with the demo AI provider.
Playwright for Python drives Debian's Chromium (never a downloaded browser).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST_INDEX = FRONTEND / "dist" / "index.html"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BIN = Path(sys.executable).parent
USERNAME, PASSWORD = "e2e", "e2e-password-12345"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> tuple[str, str | None]:
    """(DATABASE_URL for the e2e processes, PostgreSQL database name to recreate or None)."""
    base = os.environ.get("DATABASE_URL", "")
    parsed = urlparse(base)
    if parsed.scheme.startswith("postgres"):
        name = (parsed.path.lstrip("/") or "igny8") + "_e2e"
        return urlunparse(parsed._replace(path="/" + name)), name
    path = ARTIFACTS / "e2e.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}", None


def _redis_url() -> str:
    if os.environ.get("E2E_REDIS_URL"):
        return os.environ["E2E_REDIS_URL"]
    parsed = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urlunparse(parsed._replace(path="/14"))


def _recreate_postgres(url: str, name: str) -> None:
    import psycopg

    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _ensure_dashboard_built() -> None:
    if DIST_INDEX.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"E2E SKIPPED: the dashboard is not built ({DIST_INDEX} missing) and npm is not installed")
    if not (FRONTEND / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout}s:\n{log.read_text()[-3000:]}")


def _wait_worker(env: dict, log: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Celery worker exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        if "ready." in log.read_text(errors="replace"):
            return
        time.sleep(0.3)
    raise RuntimeError(f"Celery worker not ready within {timeout}s:\n{log.read_text()[-3000:]}")


@dataclass
class Stack:
    base_url: str
    env: dict
    logs: Path

    def manage(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def django(self, code: str) -> str:
        """Run Python in the e2e database (setup and checks the UI cannot do)."""
        return self.manage("shell", "--no-imports", "-c", code)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"E2E SKIPPED: no Chromium at {CHROMIUM} (apt-get install chromium)")
    _ensure_dashboard_built()
    ARTIFACTS.mkdir(exist_ok=True)
    logs = tmp_path_factory.mktemp("e2e-logs")
    database_url, pg_name = _database_url()
    redis_url = _redis_url()
    if pg_name:
        _recreate_postgres(database_url, pg_name)
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # this Redis db belongs to the e2e run alone

    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "igny8_core.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CACHE_KEY_PREFIX": "igny8-e2e",
        "IGNY8_AI_PROVIDER": "demo",
        "IGNY8_AI_IDEAS_PER_CLUSTER": "1",
        "IGNY8_AI_CONTENT_WORDS": "400",
        "DEBUG": "false",
        "SECRET_KEY": "e2e-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "IGNY8_LOG_ROOT": str(logs / "runs"),
        "MEDIA_ROOT": str(logs / "media"),
        "STATIC_ROOT": str(logs / "static"),
        "THROTTLE_RUN_NOW": "1000/min",
        "THROTTLE_AUTH_TOKEN": "1000/min",
        # The notification test posts to a webhook receiver the test runs on this machine.
        "OUTBOUND_ALLOWED_ADDRESSES": "127.0.0.1/32",
        "PYTHONUNBUFFERED": "1",
    }
    st = Stack(base_url=f"http://127.0.0.1:{port}", env=env, logs=logs)
    st.manage("migrate", "--noinput")

    procs: list[tuple[subprocess.Popen, object]] = []

    # The web server and worker run in sessions of their own, so a SIGTERM to pytest (a CI
    # timeout, `timeout`, kill) would leave them running: an orphaned worker then takes the
    # tasks of whatever next uses this Redis db. Turn SIGTERM into an interrupt so the
    # `finally` below stops them.
    def _interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)

    def spawn(name: str, cmd: list[str]) -> tuple[subprocess.Popen, Path]:
        log = logs / f"{name}.log"
        handle = log.open("w")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append((proc, handle))
        return proc, log

    try:
        worker, worker_log = spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "igny8_core",
                "worker",
                "-Q",
                "automation,default",
                "-c",
                "2",
                "-n",
                f"e2e-{port}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
        )
        web, web_log = spawn(
            "web",
            [
                str(BIN / "gunicorn"),
                "igny8_core.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
        )
        _wait_http(f"{st.base_url}/api/v1/health/", web, web_log)
        _wait_worker(env, worker_log, worker)
        yield st
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        for proc, _handle in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, handle in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            handle.close()
        for name in ("web", "worker"):
            src = logs / f"{name}.log"
            if src.exists():
                shutil.copy(src, ARTIFACTS / f"{name}.log")
        _clean_up(database_url, pg_name, redis_url)


def _clean_up(database_url: str, pg_name: str | None, redis_url: str) -> None:
    """Leave nothing behind once the processes are gone: the e2e database, and the Redis db with
    its broker messages (an unacked task would otherwise wait there for the next worker)."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    if pg_name:
        import psycopg

        admin = urlunparse(urlparse(database_url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database_url.removeprefix('sqlite:///')}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="session")
def browser(stack):
    from playwright.sync_api import expect, sync_playwright

    # Polls run every 5 s while a run is active: give assertions room on a busy CI machine.
    expect.set_options(timeout=15_000)

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, stack, request):
    ctx = browser.new_context(base_url=stack.base_url, viewport={"width": 1440, "height": 1000})
    ctx.set_default_timeout(15_000)
    yield ctx
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for i, page in enumerate(ctx.pages):
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{i}.png"), full_page=True)
    ctx.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
