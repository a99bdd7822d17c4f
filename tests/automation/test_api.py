"""The automation endpoints: success shapes, 400 / 401 / 402 / 404 / 409, tenancy with bob."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from igny8_core.automation import lock as site_lock
from igny8_core.automation.logger import RunLogger
from igny8_core.automation.models import AutomationConfig, AutomationRun, RunStatus, new_run_id
from igny8_core.automation.service import AutomationService
from igny8_core.billing.services import CreditService

from .helpers import add_keywords, demo_engine, execute, fast_config

pytestmark = pytest.mark.django_db
BASE = "/api/v1/automation"
GET_SITE_ENDPOINTS = [
    "config",
    "current_run",
    "pipeline_overview",
    "history",
    "estimate",
    "current_processing",
    "run_progress",
]


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def api(alice):
    return client_for(alice)


def make_run(site, status=RunStatus.COMPLETED, **fields):
    return AutomationRun.objects.create(
        account_id=site.account_id, site=site, run_id=new_run_id("manual"), status=status, **fields
    )


# --- tenancy and auth, every endpoint -------------------------------------------------
@pytest.mark.parametrize("name", GET_SITE_ENDPOINTS)
def test_get_endpoints_hide_another_accounts_site(api, bob_site, name):
    response = api.get(f"{BASE}/{name}/", {"site_id": bob_site.pk})
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get(f"{BASE}/{name}/", {"site_id": 987654}).status_code == 404


@pytest.mark.parametrize("name", ["config", "current_run", "pipeline_overview", "history", "estimate"])
def test_site_id_is_required(api, name):
    response = api.get(f"{BASE}/{name}/")
    assert response.status_code == 400 and "site_id" in response.json()
    assert api.get(f"{BASE}/{name}/", {"site_id": "abc"}).status_code == 400


@pytest.mark.parametrize(
    "method,name",
    [
        ("get", "config"),
        ("put", "update_config"),
        ("post", "run_now"),
        ("get", "current_run"),
        ("get", "pipeline_overview"),
        ("get", "current_processing"),
        ("get", "run_progress"),
        ("post", "pause"),
        ("post", "resume"),
        ("post", "cancel"),
        ("get", "history"),
        ("get", "logs"),
        ("get", "estimate"),
    ],
)
def test_every_endpoint_needs_authentication(alice_site, method, name):
    response = getattr(APIClient(), method)(f"{BASE}/{name}/?site_id={alice_site.pk}")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "method,name",
    [
        ("post", "pause"),
        ("post", "resume"),
        ("post", "cancel"),
        ("get", "logs"),
        ("get", "run_progress"),
        ("get", "current_processing"),
    ],
)
def test_run_endpoints_hide_another_accounts_run(api, bob_site, alice_site, method, name):
    bobs = make_run(bob_site, status=RunStatus.RUNNING)
    response = getattr(api, method)(f"{BASE}/{name}/?run_id={bobs.run_id}")
    assert response.status_code == 404
    # naming alice's site does not help either
    assert getattr(api, method)(f"{BASE}/{name}/?run_id={bobs.run_id}&site_id={alice_site.pk}").status_code == 404
    bobs.refresh_from_db()
    assert bobs.status == RunStatus.RUNNING


def test_mutations_on_bobs_site_are_404_and_change_nothing(api, bob_site):
    assert (
        api.put(f"{BASE}/update_config/?site_id={bob_site.pk}", {"is_enabled": True}, format="json").status_code == 404
    )
    assert api.post(f"{BASE}/run_now/?site_id={bob_site.pk}").status_code == 404
    assert not AutomationRun.objects.filter(site=bob_site).exists()
    assert not AutomationConfig.objects.filter(site=bob_site, is_enabled=True).exists()


# --- config -------------------------------------------------------------------------
def test_config_is_created_with_defaults_on_first_read(api, alice_site):
    data = api.get(f"{BASE}/config/", {"site_id": alice_site.pk}).json()
    assert data["is_enabled"] is False and data["frequency"] == "daily" and data["scheduled_time"] == "02:00"
    assert [data[f"stage_{n}_batch_size"] for n in range(1, 7)] == [20, 1, 20, 1, 1, 1]
    assert all(data[f"stage_{n}_enabled"] for n in range(1, 8))
    assert data["max_credits_per_run"] == "0.00" and data["max_keywords_per_run"] == 0
    assert data["next_run_at"] is None and data["last_run_at"] is None
    assert AutomationConfig.objects.filter(site=alice_site).count() == 1


def test_update_config_partial_and_schedules_the_next_run(api, alice_site):
    response = api.put(
        f"{BASE}/update_config/?site_id={alice_site.pk}",
        {
            "is_enabled": True,
            "frequency": "weekly",
            "scheduled_time": "06:30",
            "stage_4_batch_size": 1,
            "within_stage_delay": 0,
            "stage_5_enabled": False,
            "max_tasks_per_run": 5,
            "max_credits_per_run": "250.5",
            "next_run_at": "1999-01-01T00:00:00Z",
        },  # read-only: ignored
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (
        data["frequency"] == "weekly" and data["scheduled_time"] == "06:30" and data["max_credits_per_run"] == "250.50"
    )
    config = AutomationConfig.objects.get(site=alice_site)
    assert config.next_run_at.weekday() == 0 and config.next_run_at.year > 2000
    assert config.stage_5_enabled is False and config.max_tasks_per_run == 5
    assert config.stage_1_batch_size == 20  # untouched
    assert (
        api.put(f"{BASE}/update_config/?site_id={alice_site.pk}", {"max_tasks_per_run": 0}, format="json").json()[
            "max_tasks_per_run"
        ]
        == 0
    )


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"stage_1_batch_size": 0}, "stage_1_batch_size"),
        ({"stage_6_batch_size": 101}, "stage_6_batch_size"),
        ({"max_keywords_per_run": -1}, "max_keywords_per_run"),
        ({"max_credits_per_run": "-5"}, "max_credits_per_run"),
        ({"within_stage_delay": 3601}, "within_stage_delay"),
        ({"between_stage_delay": -1}, "between_stage_delay"),
        ({"frequency": "hourly"}, "frequency"),
        ({"scheduled_time": "25:00"}, "scheduled_time"),
        ({"scheduled_time": "2pm"}, "scheduled_time"),
        ({"scheduled_time": 200}, "scheduled_time"),
        ({"stage_3_enabled": "maybe"}, "stage_3_enabled"),
        ({"stage_9_enabled": True}, "stage_9_enabled"),
        ({"batch_size": 5}, "batch_size"),
    ],
)
def test_update_config_rejects_bad_input_with_field_errors(api, alice_site, payload, field):
    response = api.put(f"{BASE}/update_config/?site_id={alice_site.pk}", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body and isinstance(body[field], list)
    assert not AutomationConfig.objects.filter(site=alice_site, is_enabled=True).exists()


def test_update_config_boundaries_are_accepted(api, alice_site):
    payload = {
        "stage_1_batch_size": 1,
        "stage_2_batch_size": 100,
        "within_stage_delay": 3600,
        "between_stage_delay": 0,
        "scheduled_time": "23:59",
    }
    assert api.put(f"{BASE}/update_config/?site_id={alice_site.pk}", payload, format="json").status_code == 200


def test_update_config_rejects_a_non_object(api, alice_site):
    response = api.put(f"{BASE}/update_config/?site_id={alice_site.pk}", [1, 2], format="json")
    assert response.status_code == 400


# --- run_now ------------------------------------------------------------------------
def test_run_now_answers_202_and_enqueues_after_commit(
    api, alice_site, django_capture_on_commit_callbacks, monkeypatch
):
    add_keywords(alice_site, 5)
    sent = []
    from igny8_core.automation import dispatch, tasks

    monkeypatch.setattr(dispatch, "send_by_name", lambda name, args: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/run_now/?site_id={alice_site.pk}")
    assert response.status_code == 202
    body = response.json()
    run = AutomationRun.objects.get(site=alice_site)
    assert body["run_id"] == run.run_id == body["run"]["run_id"] and body["run"]["status"] == "running"
    assert body["run"]["initial_snapshot"]["stage_1_initial"] == 5
    assert sent == [(tasks.run_automation_task.name, [run.run_id, run.epoch])]  # sent by its registered name
    assert "Run started (manual)" in RunLogger(run).tail(5)


def test_run_now_conflicts_when_a_run_is_running_or_paused(api, alice_site):
    active = make_run(alice_site, status=RunStatus.PAUSED)
    response = api.post(f"{BASE}/run_now/", {"site_id": alice_site.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "already_running" and response.json()["run_id"] == active.run_id


def test_run_now_without_enough_credits_is_402_with_the_numbers(api, alice_site, alice_account):
    add_keywords(alice_site, 20)
    CreditService.deduct(alice_account, CreditService.balance(alice_account) - Decimal("1"), "clustering")
    response = api.post(f"{BASE}/run_now/?site_id={alice_site.pk}")
    assert response.status_code == 402
    body = response.json()
    estimate = AutomationService.estimate_credits(alice_site)
    assert body["code"] == "insufficient_credits"
    assert body["estimate"] == str(estimate["estimated_credits"]) and body["required"] == str(estimate["required"])
    assert body["balance"] == "1.00"
    assert not AutomationRun.objects.exists()


def test_run_now_is_throttled(api, alice_site):
    make_run(alice_site, status=RunStatus.RUNNING)
    codes = [api.post(f"{BASE}/run_now/?site_id={alice_site.pk}").status_code for _ in range(12)]
    assert codes[:10] == [409] * 10 and codes[-1] == 429


# --- run state endpoints --------------------------------------------------------------
def test_current_run_is_null_then_the_active_then_the_latest(api, alice_site):
    url = f"{BASE}/current_run/?site_id={alice_site.pk}"
    assert api.get(url).json() == {"run": None}
    older = make_run(alice_site, status=RunStatus.COMPLETED, stage_1_result={"keywords_processed": 3})
    run = api.get(url).json()["run"]
    assert run["run_id"] == older.run_id and run["stage_1_result"] == {"keywords_processed": 3}
    assert set(run) >= {
        "run_id",
        "status",
        "current_stage",
        "trigger_type",
        "started_at",
        "paused_at",
        "resumed_at",
        "cancelled_at",
        "completed_at",
        "total_credits_used",
        "error_message",
        "stopped_reason",
        "initial_snapshot",
        *[f"stage_{n}_result" for n in range(1, 8)],
    }
    active = make_run(alice_site, status=RunStatus.PAUSED)
    make_run(alice_site, status=RunStatus.FAILED)  # newer, but not active
    assert api.get(url).json()["run"]["run_id"] == active.run_id


def test_pipeline_overview_shape(api, alice_site):
    add_keywords(alice_site, 4)
    stages = api.get(f"{BASE}/pipeline_overview/", {"site_id": alice_site.pk}).json()["stages"]
    assert len(stages) == 7 and stages[0] == {"number": 1, "name": "Keywords → Clusters", "type": "AI", "pending": 4}
    assert stages[6]["type"] == "Manual" and stages[2]["type"] == "Local"


def test_stage_table_is_served_from_the_ai_functions(api, client):
    from igny8_core.ai.functions import get_function

    stages = api.get(f"{BASE}/stages/").json()
    assert [s["name"] for s in stages] == [
        "Keywords → Clusters",
        "Clusters → Ideas",
        "Ideas → Tasks",
        "Tasks → Content",
        "Content → Image Prompts",
        "Image Prompts → Images",
        "Review Gate",
    ]
    assert [s["kind"] for s in stages] == ["AI", "AI", "Local", "AI", "AI", "AI", "Manual"]
    first = stages[0]
    assert (first["consumes"], first["produces"]) == ("keywords", "clusters")
    assert [(s["key"], s["label"]) for s in first["stats"]] == list(get_function("auto_cluster").stats)
    assert (first["processed_key"], first["created_key"]) == ("keywords_processed", "clusters_created")
    assert stages[6]["function"] is None and stages[6]["processed_key"] == "ready_for_review"
    assert client.get(f"{BASE}/stages/").status_code in (401, 403)


def test_current_processing(api, alice_site):
    url = f"{BASE}/current_processing/?site_id={alice_site.pk}"
    assert api.get(url).json() == {"run_id": None, "processing": None}
    processing = {
        "stage": 4,
        "stage_name": "Tasks → Content",
        "batch": 2,
        "total_batches": 5,
        "items": [{"id": 7, "title": "How to brew"}],
    }
    run = make_run(alice_site, status=RunStatus.RUNNING, current_stage=4, current_processing=processing)
    assert api.get(url).json() == {"run_id": run.run_id, "processing": processing}
    AutomationService.pause(run)
    assert api.get(url).json()["processing"] is None


def test_run_progress_follows_seed_002(api, small_site):
    add_keywords(small_site, 6)
    fast_config(small_site)
    url = f"{BASE}/run_progress/?site_id={small_site.pk}"
    empty = api.get(url).json()
    assert empty["run"] is None and empty["stages"][0]["input_count"] == 6
    run = AutomationService.start_automation(small_site)
    execute(run, demo_engine(small_site))
    body = api.get(url).json()
    assert set(body) == {"run", "global_progress", "stages", "metrics", "initial_snapshot"}
    assert body["run"]["run_id"] == run.run_id and body["run"]["status"] == "completed"
    assert body["run"]["total_credits_used"] == body["metrics"]["credits_used"] and body["run"]["started_at"]
    assert body["global_progress"]["percentage"] == 100
    assert body["global_progress"]["completed_items"] == body["global_progress"]["total_items"] > 6
    assert [s["number"] for s in body["stages"]] == list(range(1, 8))
    assert {"number", "name", "status", "input_count", "processed_count"} <= set(body["stages"][0])
    assert body["stages"][0]["processed_count"] == 6 and body["stages"][0]["status"] == "completed"
    assert Decimal(body["metrics"]["credits_used"]) > 0 and body["metrics"]["duration_seconds"] >= 0
    assert body["initial_snapshot"]["stage_1_initial"] == 6
    by_id = api.get(f"{BASE}/run_progress/?run_id={run.run_id}").json()
    assert by_id["run"]["run_id"] == run.run_id
    assert api.get(f"{BASE}/run_progress/?run_id=run_20260101_000000_manual_0000").status_code == 404


def test_run_progress_while_paused_mid_stage(api, alice_site):
    run = make_run(
        alice_site,
        status=RunStatus.PAUSED,
        current_stage=2,
        initial_snapshot={
            "stage_1_initial": 10,
            "stage_2_initial": 0,
            "total_initial_items": 10,
            "planned": {"1": 10, "2": 4, "3": 8, "4": 8, "5": 8, "6": 16, "7": 8},
        },
        stage_1_result={"status": "completed", "keywords_processed": 10, "clusters_created": 4},
        stage_2_result={"status": "running", "clusters_processed": 1, "ideas_created": 2},
    )
    body = api.get(f"{BASE}/run_progress/?run_id={run.run_id}").json()
    stages = body["stages"]
    assert stages[0]["status"] == "completed" and stages[1]["status"] == "paused"
    assert (stages[1]["input_count"], stages[1]["processed_count"]) == (4, 1)  # 0 queued at start + 4 created
    assert (stages[2]["input_count"], stages[2]["status"]) == (2, "pending")
    # The percentage weighs each stage by its plan: stage 1 in full (10) + a quarter of stage 2 (1)
    # of the 62 planned items; the counts are the real ones.
    assert body["global_progress"] == {
        "total_items": 16,
        "completed_items": 11,
        "remaining_items": 5,
        "percentage": 17,
        "eta_seconds": None,
        "waiting_for_worker": False,
        "finished": False,
    }
    assert [s["planned_count"] for s in stages] == [10, 4, 8, 8, 8, 16, 8]


def test_pause_resume_cancel_transitions_and_conflicts(api, alice_site, django_capture_on_commit_callbacks):
    run = make_run(alice_site, status=RunStatus.RUNNING, current_stage=3, epoch=2)
    pause = api.post(f"{BASE}/pause/?run_id={run.run_id}")
    assert pause.status_code == 200 and pause.json()["status"] == "paused"
    again = api.post(f"{BASE}/pause/?run_id={run.run_id}")
    assert again.status_code == 409 and again.json()["code"] == "invalid_run_state"
    assert "Only a running run can be paused" in again.json()["detail"]

    with django_capture_on_commit_callbacks() as callbacks:
        resume = api.post(f"{BASE}/resume/", {"run_id": run.run_id}, format="json")
    assert resume.status_code == 200 and resume.json()["status"] == "running" and len(callbacks) == 1
    run.refresh_from_db()
    assert run.epoch == 3 and run.resumed_at is not None  # a new claim ticket
    assert api.post(f"{BASE}/resume/?run_id={run.run_id}").status_code == 409

    cancel = api.post(f"{BASE}/cancel/?site_id={alice_site.pk}")  # the site's active run
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"
    for name in ("pause", "resume", "cancel"):
        response = api.post(f"{BASE}/{name}/?run_id={run.run_id}")
        assert response.status_code == 409 and response.json()["code"] == "invalid_run_state"


def test_resume_conflicts_while_another_holder_has_the_lock(api, alice_site):
    run = make_run(alice_site, status=RunStatus.PAUSED)
    site_lock.SiteLock(alice_site.pk).acquire("maintenance")
    response = api.post(f"{BASE}/resume/?run_id={run.run_id}")
    assert response.status_code == 409 and response.json()["code"] == "lock_held"
    run.refresh_from_db()
    assert run.status == RunStatus.PAUSED


def test_control_endpoints_without_any_run_are_404(api, alice_site):
    for name in ("pause", "resume", "cancel"):
        assert api.post(f"{BASE}/{name}/?site_id={alice_site.pk}").status_code == 404
    assert api.post(f"{BASE}/pause/?run_id=nope").status_code == 404


def test_history_lists_the_last_20_runs_newest_first(api, alice_site, bob_site):
    runs = [make_run(alice_site) for _ in range(23)]
    make_run(bob_site)
    body = api.get(f"{BASE}/history/", {"site_id": alice_site.pk}).json()
    assert [r["run_id"] for r in body["runs"]] == [r.run_id for r in reversed(runs)][:20]
    assert {"run_id", "status", "trigger_type", "started_at", "completed_at", "total_credits_used"} <= set(
        body["runs"][0]
    )


def test_logs_returns_the_last_lines_clamped(api, alice_site):
    run = make_run(alice_site)
    logger = RunLogger(run)
    for n in range(1, 2101):
        logger.log(f"event {n}", stage=1 if n % 2 else None)
    url = f"{BASE}/logs/?run_id={run.run_id}"
    body = api.get(url).json()
    assert body["run_id"] == run.run_id and body["lines"] == 100
    assert body["log"].count("\n") == 100 and body["log"].rstrip().endswith("event 2100")
    assert api.get(url + "&lines=50").json()["log"].count("\n") == 50
    huge = api.get(url + "&lines=999999").json()
    assert huge["lines"] == 2000 and huge["log"].count("\n") == 2000
    assert api.get(url + "&lines=0").json()["lines"] == 1
    assert api.get(url + "&lines=-3").json()["lines"] == 1
    stage = api.get(url + "&lines=2&stage=1").json()["log"].splitlines()
    assert stage[-1].endswith("[stage 1] event 2099")
    assert api.get(url + "&lines=ten").status_code == 400
    assert api.get(url + "&stage=8").status_code == 400
    assert api.get(f"{BASE}/logs/?site_id={alice_site.pk}").json()["run_id"] == run.run_id  # latest run


def test_logs_never_leave_the_run_folder(api, alice_site, settings):
    secret = settings.IGNY8_LOG_ROOT / "secret.txt"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("top secret\n")
    for run_id in ("../../secret.txt", "..%2F..%2Fsecret.txt", "/etc/passwd", "run_20260101_000000_manual_abcd/.."):
        response = api.get(f"{BASE}/logs/", {"run_id": run_id})
        assert response.status_code == 404 and "secret" not in response.content.decode()


def test_estimate_shape(api, alice_site, alice_account):
    add_keywords(alice_site, 9)
    body = api.get(f"{BASE}/estimate/", {"site_id": alice_site.pk}).json()
    assert set(body) >= {"estimated_credits", "required", "current_balance", "sufficient", "breakdown", "allocation"}
    assert Decimal(body["required"]) == (Decimal(body["estimated_credits"]) * Decimal("1.2")).quantize(Decimal("0.01"))
    assert body["current_balance"] == str(CreditService.balance(alice_account)) and body["sufficient"] is True
    assert [row["stage"] for row in body["breakdown"]] == list(range(1, 8))
    assert body["breakdown"][0] == {"stage": 1, "name": "Keywords → Clusters", "items": 9, "credits": "1.80"}
