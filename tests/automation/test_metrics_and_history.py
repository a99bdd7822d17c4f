"""Dashboard metrics (runs per week, success rate, credits, stage times) and history filters."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from igny8_core.automation.models import AutomationRun, new_run_id

from .test_api import BASE, api  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def run(site, status, days_ago=0, trigger="manual", credits="0", **results):
    started = timezone.now() - timedelta(days=days_ago)
    return AutomationRun.objects.create(
        account_id=site.account_id,
        site=site,
        run_id=new_run_id(trigger, started),
        status=status,
        trigger_type=trigger,
        started_at=started,
        total_credits_used=Decimal(credits),
        **results,
    )


def test_metrics_of_the_last_weeks(api, alice_site, bob_site):  # noqa: F811
    run(alice_site, "completed", credits="10", stage_1_result={"status": "completed", "time_elapsed": 4.0})
    run(alice_site, "completed", credits="20", stage_1_result={"status": "completed", "time_elapsed": 2.0})
    run(alice_site, "failed", credits="3", stage_1_result={"status": "partial", "time_elapsed": 6.0})
    run(alice_site, "cancelled", days_ago=8, stage_2_result={"status": "skipped", "time_elapsed": 0})
    run(alice_site, "completed", days_ago=200, credits="999")  # outside the window
    run(bob_site, "failed", credits="50")

    response = api.get(f"{BASE}/metrics/", {"site_id": alice_site.pk, "weeks": 4})
    assert response.status_code == 200, response.content
    data = response.json()
    assert len(data["weeks"]) == 4 and sum(w["runs"] for w in data["weeks"]) == 4
    assert data["weeks"][-1]["completed"] + data["weeks"][-2]["completed"] == 2
    assert data["runs_total"] == 4 and data["completed"] == 2 and data["failed"] == 1
    assert data["success_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert data["average_credits_per_run"] == "8.25"  # (10 + 20 + 3 + 0) / 4 finished runs
    stage_1 = data["average_stage_seconds"][0]
    assert stage_1 == {"stage": 1, "name": "Keywords → Clusters", "runs": 3, "average_seconds": 4.0}
    assert data["average_stage_seconds"][1]["runs"] == 0 and data["average_stage_seconds"][1]["average_seconds"] is None


def test_metrics_without_runs_and_bad_input(api, alice_site, bob_site):  # noqa: F811
    data = api.get(f"{BASE}/metrics/", {"site_id": alice_site.pk}).json()
    assert len(data["weeks"]) == 8 and data["success_rate"] is None and data["average_credits_per_run"] is None
    for weeks in ("0", "53", "x"):
        assert api.get(f"{BASE}/metrics/", {"site_id": alice_site.pk, "weeks": weeks}).status_code == 400
    assert api.get(f"{BASE}/metrics/", {"site_id": bob_site.pk}).status_code == 404


def test_history_filters_by_status_trigger_and_date(api, alice_site):  # noqa: F811
    today = run(alice_site, "completed")
    scheduled = run(alice_site, "failed", trigger="scheduled", days_ago=3)
    old = run(alice_site, "completed", days_ago=10)

    def ids(**params):
        response = api.get(f"{BASE}/history/", {"site_id": alice_site.pk, **params})
        assert response.status_code == 200, response.content
        return [r["run_id"] for r in response.json()["runs"]]

    assert ids() == [today.run_id, scheduled.run_id, old.run_id]
    assert ids(status="completed") == [today.run_id, old.run_id]
    assert ids(trigger="scheduled") == [scheduled.run_id]
    day = timezone.localdate() - timedelta(days=5)
    assert ids(date_from=day.isoformat()) == [today.run_id, scheduled.run_id]
    assert ids(date_to=day.isoformat()) == [old.run_id]
    assert ids(limit=1) == [today.run_id]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "sleeping"},
        {"trigger": "cron"},
        {"date_from": "yesterday"},
        {"limit": 0},
        {"date_from": "2026-02-02", "date_to": "2026-02-01"},
    ],
)
def test_history_rejects_bad_filters(api, alice_site, params):  # noqa: F811
    response = api.get(f"{BASE}/history/", {"site_id": alice_site.pk, **params})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
