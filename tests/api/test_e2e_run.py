"""End to end through the REST API only, as a script would drive it: token -> site settings ->
CSV import -> config -> estimate -> run_now -> poll run_progress until completed -> content listed
for review. A real Celery worker (in-process thread, real Redis broker, real PostgreSQL) runs the
pipeline on the demo AI provider."""

import time
from decimal import Decimal

import pytest
from celery_support import running_worker
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from igny8_core.automation import lock as site_lock

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
KEYWORDS = """keyword,volume,difficulty,intent
pour over coffee ratio,5400,32,informational
pour over grind size,2900,28,informational
best pour over kettle,3600,38,commercial
cold brew coffee recipe,14800,35,informational
cold brew concentrate ratio,3200,24,informational
tomato plant care,9900,29,informational
when to plant tomatoes,18100,31,informational
pour over coffee ratio,1,1,
,10,10,
"""


@pytest.fixture
def celery_worker(settings):
    settings.IGNY8_AI_PROVIDER = "demo"
    settings.IGNY8_AI_IDEAS_PER_CLUSTER = 1
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 0.5
    settings.AUTOMATION_LOCK_TTL = 5
    settings.AUTOMATION_STALE_AFTER = 3
    try:
        with running_worker() as worker:
            yield worker
    finally:
        for key in site_lock.client().scan_iter(match="automation_lock_*"):
            site_lock.client().delete(key)


def ok(response, status=200):
    assert response.status_code == status, f"{response.status_code}: {response.content[:500]}"
    return response.json()


def test_token_import_estimate_run_now_poll_review(celery_worker, alice, alice_site):
    client = APIClient()
    token = ok(client.post("/api/v1/auth/token/", {"username": "alice", "password": "alice-pw-12345"}, format="json"))[
        "token"
    ]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    site = alice_site.pk

    ok(client.patch(f"/api/v1/sites/{site}/", {"in_article_images": 1, "topic": "coffee and gardening"}, format="json"))
    imported = ok(
        client.post(
            f"/api/v1/planner/keywords/import/?site_id={site}",
            {"file": SimpleUploadedFile("kw.csv", KEYWORDS.encode(), content_type="text/csv")},
            format="multipart",
        )
    )
    assert (imported["created"], imported["duplicates"], len(imported["errors"])) == (7, 1, 1)

    ok(
        client.put(
            f"/api/v1/automation/update_config/?site_id={site}",
            {"within_stage_delay": 0, "between_stage_delay": 0},
            format="json",
        )
    )
    estimate = ok(client.get("/api/v1/automation/estimate/", {"site_id": site}))
    assert estimate["sufficient"] is True and Decimal(estimate["estimated_credits"]) > 0
    balance_before = Decimal(ok(client.get("/api/v1/billing/balance/"))["credits_balance"])

    started = ok(client.post(f"/api/v1/automation/run_now/?site_id={site}"), status=202)
    run_id = started["run_id"]
    again = client.post(f"/api/v1/automation/run_now/?site_id={site}")
    assert again.status_code == 409 and again.json()["code"] == "already_running"

    deadline, progress = time.monotonic() + 120, None
    while time.monotonic() < deadline:
        progress = ok(client.get("/api/v1/automation/run_progress/", {"site_id": site, "run_id": run_id}))
        if progress["run"]["status"] not in ("running", "paused"):
            break
        time.sleep(0.25)
    assert progress["run"]["status"] == "completed", progress["run"]
    assert progress["global_progress"]["percentage"] == 100
    assert [s["number"] for s in progress["stages"]] == [1, 2, 3, 4, 5, 6, 7]
    assert progress["stages"][0]["processed_count"] == 7

    review = ok(client.get("/api/v1/writer/content/", {"site_id": site, "status": "review"}))
    tasks = ok(client.get("/api/v1/writer/tasks/", {"site_id": site}))
    assert review["count"] == tasks["count"] > 0
    for item in review["results"]:
        assert item["word_count"] > 0 and item["title"]
        assert item["featured_image"]["url"].startswith("http://testserver/media/")
    detail = ok(client.get(f"/api/v1/writer/content/{review['results'][0]['id']}/"))
    assert detail["html_content"] and len(detail["images"]) == 2

    current = ok(client.get("/api/v1/automation/current_run/", {"site_id": site}))["run"]
    ledger = ok(
        client.get(
            "/api/v1/billing/transactions/", {"site_id": site, "transaction_type": "deduction", "page_size": 1000}
        )
    )
    spent = -sum(Decimal(row["amount"]) for row in ledger["results"])
    assert spent == Decimal(current["total_credits_used"]) > 0
    assert Decimal(ok(client.get("/api/v1/billing/balance/"))["credits_balance"]) == balance_before - spent
    logs = ok(client.get("/api/v1/automation/logs/", {"site_id": site, "run_id": run_id, "lines": 50}))
    assert logs["log"]

    approved = ok(
        client.post(
            "/api/v1/writer/content/bulk_approve/", {"ids": [c["id"] for c in review["results"]]}, format="json"
        )
    )
    assert {c["status"] for c in approved} == {"approved"}
