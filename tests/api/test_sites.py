"""Sites: list/create/update/delete inside the account; domains unique per account; no delete mid-run."""

import pytest

from igny8_core.accounts.models import Site

pytestmark = pytest.mark.django_db


def test_list_shows_only_own_sites_paginated(api, alice_site, bob_site):
    response = api.get("/api/v1/sites/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert [s["id"] for s in data["results"]] == [alice_site.pk]
    assert data["results"][0]["domain"] == "alice.example.com"


def test_create_site_returns_201_with_id(api, alice):
    response = api.post("/api/v1/sites/", {"name": "Blog", "domain": "Blog.Example.com"}, format="json")
    assert response.status_code == 201
    body = response.json()
    site = Site.objects.get(pk=body["id"])
    assert site.account_id == alice.account_id
    assert body["domain"] == site.domain == "blog.example.com"
    assert body["timezone"] == "UTC" and body["in_article_images"] == 3


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "x"}, "domain"),
        ({"domain": "x.example.com"}, "name"),
        ({"name": "x", "domain": "https://x.example.com/"}, "domain"),
        ({"name": "x", "domain": "not a domain"}, "domain"),
        ({"name": "x", "domain": "ALICE.example.com"}, "domain"),  # already alice's
        ({"name": "x", "domain": "y.example.com", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "x", "domain": "y.example.com", "in_article_images": 11}, "in_article_images"),
    ],
)
def test_create_site_validation(api, alice_site, body, field):
    response = api.post("/api/v1/sites/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_same_domain_is_fine_in_another_account(api, bob_site):
    response = api.post("/api/v1/sites/", {"name": "Mine", "domain": "bob.example.com"}, format="json")
    assert response.status_code == 201


def test_patch_site(api, alice_site):
    response = api.patch(
        f"/api/v1/sites/{alice_site.pk}/", {"topic": "coffee", "timezone": "Europe/Berlin"}, format="json"
    )
    assert response.status_code == 200
    alice_site.refresh_from_db()
    assert (alice_site.topic, alice_site.timezone) == ("coffee", "Europe/Berlin")
    # Keeping its own domain is not a duplicate.
    assert (
        api.patch(f"/api/v1/sites/{alice_site.pk}/", {"domain": "alice.example.com"}, format="json").status_code == 200
    )


def test_put_is_not_offered(api, alice_site):
    assert api.put(f"/api/v1/sites/{alice_site.pk}/", {}, format="json").status_code == 405


def _run(site, status):
    from igny8_core.automation.models import AutomationRun, new_run_id

    return AutomationRun.objects.create(account=site.account, site=site, run_id=new_run_id("manual"), status=status)


def test_delete_removes_the_site_its_rows_and_files_but_keeps_the_ledger(
    api, alice, alice_site, django_capture_on_commit_callbacks
):
    from pathlib import Path

    from igny8_core.automation.logger import RunLogger
    from igny8_core.billing.models import CreditTransaction
    from igny8_core.billing.services import CreditService
    from igny8_core.planner.models import Keywords
    from igny8_core.writer.models import Content, Images

    from . import factories as f

    items = f.pipeline(alice_site)
    image_file = Path(items["image"].file.path)
    run = _run(alice_site, "completed")
    RunLogger(run).log("done")
    log_file = RunLogger(run).path()
    CreditService.deduct(alice.account, "2.40", "content_generation", site=alice_site, run_id=run.pk)
    other = Site.objects.create(account=alice.account, name="Other", domain="other.example.com")
    f.keyword(other)
    assert image_file.exists() and log_file.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = api.delete(f"/api/v1/sites/{alice_site.pk}/")

    assert response.status_code == 204
    assert not Site.objects.filter(pk=alice_site.pk).exists()
    assert not Keywords.objects.filter(site_id=alice_site.pk).exists()
    assert not Content.objects.filter(site_id=alice_site.pk).exists()
    assert not Images.objects.filter(site_id=alice_site.pk).exists()
    assert not image_file.exists() and not log_file.exists()
    # The account's credit history stays whole; only the link to the site goes.
    charge = CreditTransaction.objects.get(account=alice.account, operation="content_generation")
    assert (charge.site_id, charge.run_id) == (None, None)
    # The account's other sites are untouched.
    assert Keywords.objects.filter(site=other).count() == 1
    assert [s["id"] for s in api.get("/api/v1/sites/").json()["results"]] == [other.pk]


def test_delete_of_another_accounts_site_is_404(api, bob_site):
    response = api.delete(f"/api/v1/sites/{bob_site.pk}/")
    assert response.status_code == 404
    assert Site.objects.filter(pk=bob_site.pk).exists()


@pytest.mark.parametrize("status", ["running", "paused"])
def test_delete_is_refused_while_a_run_is_active(api, alice_site, status):
    from igny8_core.planner.models import Keywords

    from . import factories as f

    f.keyword(alice_site)
    run = _run(alice_site, status)
    response = api.delete(f"/api/v1/sites/{alice_site.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "site_has_active_run"
    assert (body["run_id"], body["run_status"]) == (run.run_id, status)
    assert "Cancel the run" in body["detail"]
    assert Site.objects.filter(pk=alice_site.pk).exists() and Keywords.objects.filter(site=alice_site).exists()

    # Once the run is over, the site can go.
    run.status = "cancelled"
    run.save()
    assert api.delete(f"/api/v1/sites/{alice_site.pk}/").status_code == 204


def test_changing_the_timezone_reanchors_the_next_scheduled_run(api, alice_site):
    from datetime import time

    from igny8_core.automation.models import AutomationConfig
    from igny8_core.automation.schedule import next_run_for

    config = AutomationConfig.for_site(alice_site)
    AutomationConfig.objects.filter(pk=config.pk).update(is_enabled=True, scheduled_time=time(9, 0))
    config.refresh_from_db()
    config.next_run_at = next_run_for(config)
    config.save()
    utc_next = config.next_run_at

    response = api.patch(f"/api/v1/sites/{alice_site.pk}/", {"timezone": "Asia/Tokyo"}, format="json")
    assert response.status_code == 200
    config.refresh_from_db()
    assert config.next_run_at != utc_next
    local = config.next_run_at.astimezone(alice_site.__class__.objects.get(pk=alice_site.pk).tzinfo)
    assert (local.hour, local.minute) == (9, 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_start_racing_the_deletion_finds_the_site_gone(alice_site):
    """The deletion holds the site's row while it checks for active runs; a start arriving then
    waits for it and ends with SiteGone (404), not a misleading 'already running' or a 500."""
    import threading
    import time

    from concurrency_support import run_concurrently
    from django.db import connection

    from igny8_core.accounts.services import delete_site
    from igny8_core.accounts.signals import site_deleting
    from igny8_core.automation.exceptions import SiteGone
    from igny8_core.automation.models import AutomationConfig, AutomationRun
    from igny8_core.automation.service import AutomationService

    AutomationConfig.for_site(alice_site)
    checked, go_on = threading.Event(), threading.Event()

    def hold_the_row(sender, site, **kwargs):
        checked.set()
        assert go_on.wait(20)

    def start_blocked_on_the_row(i):
        if i == 0:
            delete_site(alice_site)
            return "deleted"
        assert checked.wait(20)
        return AutomationService.start_automation(alice_site, "manual")

    def release_once_the_start_waits():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                if cursor.fetchone()[0]:
                    break
            time.sleep(0.05)
        go_on.set()
        connection.close()

    site_deleting.connect(hold_the_row, sender=Site, dispatch_uid="test-hold-the-row")
    releaser = threading.Thread(target=release_once_the_start_waits)
    releaser.start()
    try:
        results, errors = run_concurrently(2, start_blocked_on_the_row, start_together=False)
    finally:
        site_deleting.disconnect(sender=Site, dispatch_uid="test-hold-the-row")
        go_on.set()
        releaser.join(20)
    assert results == ["deleted"]
    assert [type(e) for e in errors] == [SiteGone], errors
    assert not Site.objects.filter(pk=alice_site.pk).exists()
    assert not AutomationRun.objects.filter(site_id=alice_site.pk).exists()
