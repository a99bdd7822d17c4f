"""Settings parsing, deploy checks, migrations, seed_demo and the docker-compose file."""

import importlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from igny8_core.accounts.models import Account, User
from igny8_core.billing.models import CreditTransaction
from igny8_core.planner.models import Keywords

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_database_url_parsing():
    from igny8_core.settings import database_from_env

    sqlite = database_from_env("sqlite:////tmp/x.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert sqlite["OPTIONS"]["timeout"] >= 20
    pg = database_from_env("postgres://u:p@db.internal:5433/igny8")
    assert (pg["ENGINE"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "django.db.backends.postgresql",
        "db.internal",
        5433,
        "igny8",
    )
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_env("mysql://u:p@h/db")


def test_postgres_sends_parameters_apart_unless_told_not_to(monkeypatch):
    from igny8_core.settings import database_from_env

    options = database_from_env("postgres://u@db.internal/igny8")["OPTIONS"]
    assert options == {"server_side_binding": True, "prepare_threshold": 5}
    monkeypatch.setenv("DB_PREPARED_STATEMENTS", "false")  # e.g. behind an old transaction-mode PgBouncer
    assert "server_side_binding" not in database_from_env("postgres://u@db.internal/igny8").get("OPTIONS", {})


@pytest.mark.django_db
def test_a_statement_a_connection_repeats_is_prepared_on_the_server():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL setting")
    for _ in range(6):  # prepared from the sixth run on (prepare_threshold 5)
        list(Keywords.objects.filter(volume__gte=123456).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"planner_keywords"."volume" >= $1' in statement for statement in prepared), prepared


def test_bad_database_url_stops_the_process_with_a_clear_error():
    result = manage("check", env={"DATABASE_URL": "nonsense://x"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr and "unsupported database" in result.stderr


def test_secret_key_required_in_production():
    result = manage("check", env={"DEBUG": "false", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_unknown_ai_provider_rejected():
    result = manage("check", env={"IGNY8_AI_PROVIDER": "magic"})
    assert result.returncode != 0 and "IGNY8_AI_PROVIDER" in result.stderr


def test_check_deploy_passes_with_production_env():
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "igny8.example.com",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_celery_settings_fit_hour_long_runs(settings):
    from igny8_core.celery import app

    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_acks_late is False
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert visibility > settings.CELERY_AUTOMATION_TIME_LIMIT > settings.CELERY_AUTOMATION_SOFT_TIME_LIMIT
    assert conf.task_routes["igny8_core.automation.tasks.run_automation_task"]["queue"] == "automation"
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "demo / demo-password" in out
    call_command("seed_demo")
    user = User.objects.get(username="demo")
    assert user.check_password("demo-password")
    assert Account.objects.filter(name="Demo account").count() == 1
    account = user.account
    assert account.credits_balance == 1000
    assert CreditTransaction.objects.filter(account=account).count() == 1
    keywords = Keywords.objects.filter(account=account)
    assert keywords.count() >= 60
    # Several topics, so clustering has something to do.
    words = " ".join(keywords.values_list("keyword", flat=True))
    for topic in ("coffee", "tomato", "running", "budget"):
        assert topic in words
    # The demo site runs without rate-limit pauses; a user's later change survives re-seeding.
    from igny8_core.automation.models import AutomationConfig

    config = AutomationConfig.objects.get(site__account=account)
    assert (config.within_stage_delay, config.between_stage_delay) == (0, 1)
    AutomationConfig.objects.filter(pk=config.pk).update(within_stage_delay=7)
    call_command("seed_demo", "--quiet")
    config.refresh_from_db()
    assert config.within_stage_delay == 7


def test_docker_compose_references_real_modules():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    web_cmd = services["web"]["command"]
    assert "migrate" in web_cmd and "gunicorn igny8_core.wsgi:application" in web_cmd
    assert "-A igny8_core worker" in services["worker"]["command"]
    assert "-A igny8_core beat" in services["beat"]["command"]
    assert "noeviction" in " ".join(services["redis"]["command"])
    for name in ("web", "worker", "beat"):
        volumes = services[name]["volumes"]
        assert any(v.startswith("media:") for v in volumes) and any(v.startswith("logs:") for v in volumes)
    # The modules the commands name exist.
    importlib.import_module("igny8_core.wsgi")
    importlib.import_module("igny8_core.celery")
    assert (ROOT / "Dockerfile").exists()


def test_procfile_runs_web_worker_and_beat():
    procfile = (ROOT / "Procfile").read_text()
    assert "runserver" in procfile and "worker" in procfile and "beat" in procfile
    assert "-Q automation" in procfile and "-Q default" in procfile


def test_readme_documents_every_environment_variable():
    import re

    settings_src = (ROOT / "igny8_core" / "settings.py").read_text()
    names = set(re.findall(r'env\.(?:str|int|float|bool|list)\(\s*"([A-Z0-9_]+)"', settings_src))
    assert len(names) > 30
    readme = (ROOT / "README.md").read_text()
    assert sorted(n for n in names if f"`{n}`" not in readme) == []
