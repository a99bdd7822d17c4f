"""Notifications through apprise: per-site targets stored encrypted, a test message, and the run
and publishing events, sent by a Celery task after commit; a failing target never affects a run."""

import json
import time

import pytest

from igny8_core.automation.models import AutomationRun, RunStatus, new_run_id
from igny8_core.notifications import services
from igny8_core.notifications.events import notify_publishing_failed, notify_run_outcome, run_event
from igny8_core.notifications.models import NotificationSettings
from igny8_core.notifications.tasks import send_notification

from .webhook_receiver import url_of, webhook_receiver

pytestmark = pytest.mark.django_db


def settings_url(site):
    return f"/api/v1/notifications/sites/{site.pk}/"


def test_targets_are_stored_encrypted_and_shown_masked(api, alice_site):
    url = "json://user:s3cret-token@127.0.0.1:8080/hook"
    response = api.put(settings_url(alice_site), {"urls": [url], "events": ["run_failed"]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["events"] == ["run_failed"] and body["targets"][0]["service"] == "JSON"
    assert "s3cret-token" not in json.dumps(body)
    stored = NotificationSettings.objects.get(site=alice_site)
    assert "s3cret-token" not in stored.urls_encrypted and "127.0.0.1" not in stored.urls_encrypted
    assert services.stored_urls(stored) == [url]
    assert [e["event"] for e in body["available_events"]] == [
        "run_completed",
        "run_failed",
        "out_of_credits",
        "stopped_by_limit",
        "publishing_failed",
    ]
    # Events alone keep the targets.
    assert api.put(settings_url(alice_site), {"events": []}, format="json").json()["targets"]


@pytest.mark.parametrize(
    "body",
    [
        {"urls": ["not a url"]},
        {"urls": ["nonsense://x"]},
        {"urls": ["json://169.254.169.254/latest"]},
        {"urls": ["json://127.0.0.2:9/hook"]},  # loopback outside the allowed address
        {"urls": ["json://h/x"] * 11},
        {"events": ["run_exploded"]},
        {"colour": "red"},
    ],
)
def test_invalid_targets_and_events_are_400(api, alice_site, body):
    response = api.put(settings_url(alice_site), body, format="json")
    assert response.status_code == 400, response.content
    assert not NotificationSettings.objects.filter(site=alice_site).exclude(urls_encrypted="").exists()


def test_another_accounts_site_is_404(api, bob_site):
    assert api.get(settings_url(bob_site)).status_code == 404
    assert api.put(settings_url(bob_site), {"urls": []}, format="json").status_code == 404
    assert api.post(settings_url(bob_site) + "test/", {}, format="json").status_code == 404


def test_the_test_button_reaches_a_local_webhook_and_reports_a_failing_target(api, alice_site):
    with webhook_receiver() as good, webhook_receiver(status=500) as bad:
        api.put(settings_url(alice_site), {"urls": [url_of(good), url_of(bad)]}, format="json")
        response = api.post(settings_url(alice_site) + "test/", {}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sent"] == 1 and body["failed"] == 1
    assert [r["ok"] for r in body["results"]] == [True, False] and body["results"][1]["error"]
    assert good.received[0]["path"] == "/hook"
    assert good.received[0]["json"]["title"] == "[Alice Site] Test notification"


def test_testing_urls_before_saving_them_and_nothing_to_test(api, alice_site):
    assert api.post(settings_url(alice_site) + "test/", {}, format="json").status_code == 400
    with webhook_receiver() as receiver:
        response = api.post(settings_url(alice_site) + "test/", {"urls": [url_of(receiver, "/x")]}, format="json")
    assert response.json()["sent"] == 1 and receiver.received[0]["path"] == "/x"


def make_run(site, **fields):
    return AutomationRun.objects.create(account_id=site.account_id, site=site, run_id=new_run_id("manual"), **fields)


@pytest.mark.parametrize(
    ("fields", "event"),
    [
        ({"status": RunStatus.COMPLETED}, "run_completed"),
        (
            {
                "status": RunStatus.COMPLETED,
                "stage_4_result": {"partial": True, "reason": "Per-run limit of 2 reached."},
            },
            "stopped_by_limit",
        ),
        (
            {"status": RunStatus.FAILED, "stopped_reason": "Out of credits at stage 4 (Tasks → Content): …"},
            "out_of_credits",
        ),
        ({"status": RunStatus.FAILED, "stopped_reason": "Unexpected error at stage 2"}, "run_failed"),
        ({"status": RunStatus.CANCELLED}, None),
        ({"status": RunStatus.PAUSED}, None),
    ],
)
def test_the_event_of_a_finished_run(alice_site, fields, event):
    assert run_event(make_run(alice_site, **fields)) == event


def test_a_run_event_is_queued_after_commit_and_sent_to_subscribed_targets(
    alice_site, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(send_notification, "delay", lambda *args: queued.append(args))
    with webhook_receiver() as receiver:
        services.save(alice_site, [url_of(receiver)], ["run_failed"])
        failed = make_run(alice_site, status=RunStatus.FAILED, stopped_reason="Unexpected error at stage 2")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            notify_run_outcome(failed.run_id)
        assert queued == [] and len(callbacks) == 1  # nothing leaves before the commit
        callbacks[0]()
        assert queued[0][:2] == (alice_site.pk, "run_failed")
        assert send_notification(*queued[0]) == 1
        # Not subscribed: nothing is sent.
        assert send_notification(alice_site.pk, "run_completed", "t", "b") == 0
    assert len(receiver.received) == 1 and "Unexpected error at stage 2" in receiver.received[0]["json"]["message"]
    stored = NotificationSettings.objects.get(site=alice_site)
    assert stored.last_sent_at is not None and stored.last_error == ""


def test_a_failing_target_is_logged_and_never_raises(alice_site, caplog):
    services.save(alice_site, ["json://127.0.0.1:1/hook"], ["publishing_failed"])  # nothing listens there
    assert send_notification(alice_site.pk, "publishing_failed", "t", "b") == 0
    assert "Notification to json://127.0.0.1:1" in caplog.text
    assert NotificationSettings.objects.get(site=alice_site).last_error


def test_publishing_failed_is_sent(alice_site, django_capture_on_commit_callbacks, monkeypatch):
    # What the worker does with the queued task: run it.
    monkeypatch.setattr(send_notification, "delay", lambda *args: send_notification(*args))
    with webhook_receiver() as receiver:
        services.save(alice_site, [url_of(receiver)], ["publishing_failed"])
        with django_capture_on_commit_callbacks(execute=True):
            notify_publishing_failed(alice_site.pk, alice_site.name, "My post", "401 Unauthorized")
    assert receiver.received[0]["json"]["title"] == "[Alice Site] Publishing failed"
    assert "“My post” could not be published: 401 Unauthorized" in receiver.received[0]["json"]["message"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_on_a_real_worker_notifies_its_completion_through_the_default_queue(small_site, monkeypatch):
    from automation.helpers import add_keywords, demo_engine, fast_config
    from celery_support import running_worker

    from igny8_core.automation.service import AutomationService

    add_keywords(small_site, 3)
    fast_config(small_site)
    monkeypatch.setattr(AutomationService, "engine_factory", staticmethod(lambda account, site: demo_engine(site)))
    with webhook_receiver() as receiver, running_worker():
        services.save(small_site, [url_of(receiver), "json://127.0.0.1:1/down"], None)
        run = AutomationService.start_automation(small_site)
        deadline = time.monotonic() + 90
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED  # the unreachable second target changed nothing
    assert receiver.received[0]["json"]["title"] == f"[{small_site.name}] Run completed"
    assert run.run_id in receiver.received[0]["json"]["message"]
