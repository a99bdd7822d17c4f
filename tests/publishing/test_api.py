"""Publishing endpoints: settings (validation), queue, WordPress connection (encrypted, tested)."""

from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from igny8_core.publishing.models import PublishingSettings, WordPressConnection
from igny8_core.writer.models import Content

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_settings_defaults_keep_stage_7_manual(api, alice_site):
    response = api.get(f"/api/v1/publishing/settings/?site_id={alice_site.id}")
    assert response.status_code == 200
    assert response.json() == {
        "site_id": alice_site.id,
        "auto_approval_enabled": False,
        "auto_publish_enabled": False,
        "scheduling_mode": "time_slots",
        "publish_days": ["mon", "tue", "wed", "thu", "fri"],
        "publish_time_slots": ["09:00", "14:00", "18:00"],
        "stagger_start_time": "09:00",
        "stagger_end_time": "18:00",
        "stagger_interval_minutes": 15,
        "daily_target": 3,
        "weekly_target": 15,
        "monthly_target": 50,
        "queue_limit": 100,
        "min_quality_score": 0,
    }


def test_settings_update_partial(api, alice_site):
    response = api.put(
        f"/api/v1/publishing/settings/?site_id={alice_site.id}",
        {
            "auto_approval_enabled": True,
            "scheduling_mode": "stagger",
            "stagger_start_time": "07:30",
            "publish_days": ["sat", "sun"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    saved = PublishingSettings.objects.get(site=alice_site)
    assert saved.auto_approval_enabled and saved.scheduling_mode == "stagger"
    assert saved.stagger_start_time.strftime("%H:%M") == "07:30" and saved.publish_days == ["sat", "sun"]
    assert response.json()["queue_limit"] == 100


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"stagger_start_time": "9:00"}, "stagger_start_time"),
        ({"stagger_end_time": "24:00"}, "stagger_end_time"),
        ({"stagger_start_time": "18:00", "stagger_end_time": "09:00"}, "stagger_end_time"),
        ({"stagger_interval_minutes": 0}, "stagger_interval_minutes"),
        ({"stagger_interval_minutes": 1441}, "stagger_interval_minutes"),
        ({"publish_days": ["mon", "funday"]}, "publish_days"),
        ({"publish_days": "mon"}, "publish_days"),
        ({"publish_time_slots": ["09:00", "25:00"]}, "publish_time_slots"),
        ({"scheduling_mode": "time_slots", "publish_time_slots": []}, "publish_time_slots"),
        ({"queue_limit": 0}, "queue_limit"),
        ({"scheduling_mode": "hourly"}, "scheduling_mode"),
    ],
)
def test_settings_validation(api, alice_site, payload, field):
    response = api.put(f"/api/v1/publishing/settings/?site_id={alice_site.id}", payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not PublishingSettings.objects.filter(site=alice_site, queue_limit=0).exists()


def test_empty_slots_allowed_outside_time_slots_mode(api, alice_site):
    response = api.put(
        f"/api/v1/publishing/settings/?site_id={alice_site.id}",
        {"scheduling_mode": "immediate", "publish_time_slots": []},
        format="json",
    )
    assert response.status_code == 200
    # ...but switching back to time_slots without slots is refused
    response = api.put(
        f"/api/v1/publishing/settings/?site_id={alice_site.id}", {"scheduling_mode": "time_slots"}, format="json"
    )
    assert response.status_code == 400 and "publish_time_slots" in response.json()


def test_tenancy(api, bob_site):
    for path in ("settings/", "queue/", "wordpress/"):
        assert api.get(f"/api/v1/publishing/{path}?site_id={bob_site.id}").status_code == 404
    assert (
        api.put(f"/api/v1/publishing/settings/?site_id={bob_site.id}", {"queue_limit": 5}, format="json").status_code
        == 404
    )
    assert api.get("/api/v1/publishing/settings/").status_code == 400  # site_id missing
    assert APIClient().get(f"/api/v1/publishing/settings/?site_id={bob_site.id}").status_code == 401


def test_queue_lists_items_on_their_way(api, alice_site, bob_site):
    now = timezone.now()
    later = Content.objects.create(
        site=alice_site, title="later", site_status="scheduled", scheduled_publish_at=now + timedelta(days=2)
    )
    sooner = Content.objects.create(
        site=alice_site, title="sooner", site_status="scheduled", scheduled_publish_at=now + timedelta(hours=1)
    )
    failed = Content.objects.create(
        site=alice_site, title="failed", site_status="failed", publish_error="401 bad password"
    )
    done = Content.objects.create(
        site=alice_site,
        title="done",
        site_status="published",
        external_url="https://wp.example/done/",
        published_at=now,
    )
    Content.objects.create(site=alice_site, title="draft")  # not on its way
    Content.objects.create(site=bob_site, title="bob's", site_status="scheduled", scheduled_publish_at=now)
    PublishingSettings.objects.create(site=alice_site, queue_limit=7)

    with CaptureQueriesContext(db) as queries:
        body = api.get(f"/api/v1/publishing/queue/?site_id={alice_site.id}").json()
    assert len(queries) <= 6  # auth + site + rows + count + settings: no query per item
    assert [r["id"] for r in body["results"]] == [sooner.id, later.id, failed.id, done.id]
    assert body["results"][2]["publish_error"] == "401 bad password"
    assert body["results"][3]["external_url"] == "https://wp.example/done/"
    assert (body["scheduled_count"], body["queue_limit"]) == (2, 7)
    assert set(body["results"][0]) >= {
        "id",
        "title",
        "site_status",
        "scheduled_publish_at",
        "external_url",
        "publish_error",
    }

    only_failed = api.get(f"/api/v1/publishing/queue/?site_id={alice_site.id}&status=failed").json()
    assert [r["id"] for r in only_failed["results"]] == [failed.id]
    assert api.get(f"/api/v1/publishing/queue/?site_id={alice_site.id}&status=bogus").status_code == 400


def test_retry_failed_item(api, alice_site, bob_site):
    failed = Content.objects.create(
        site=alice_site, title="failed", site_status="failed", publish_attempts=5, publish_error="x"
    )
    scheduled = Content.objects.create(
        site=alice_site, title="s", site_status="scheduled", scheduled_publish_at=timezone.now()
    )
    bobs = Content.objects.create(site=bob_site, title="b", site_status="failed")
    response = api.post(f"/api/v1/publishing/queue/{failed.id}/retry/?site_id={alice_site.id}")
    assert response.status_code == 200
    failed.refresh_from_db()
    assert (failed.site_status, failed.publish_attempts, failed.publish_error) == ("scheduled", 0, "")
    assert api.post(f"/api/v1/publishing/queue/{scheduled.id}/retry/?site_id={alice_site.id}").status_code == 409
    assert api.post(f"/api/v1/publishing/queue/{bobs.id}/retry/?site_id={alice_site.id}").status_code == 404


def test_wordpress_connection_password_is_write_only_and_encrypted(api, alice_site):
    url = f"/api/v1/publishing/wordpress/?site_id={alice_site.id}"
    assert api.get(url).json()["configured"] is False
    assert api.put(url, {"url": "https://blog.example.com", "username": "ed"}, format="json").status_code == 400

    secret = "abcd EFGH ijkl MNOP qrst UVWX"
    response = api.put(
        url, {"url": "https://blog.example.com/", "username": "ed", "app_password": secret}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["configured"] and body["has_password"] and body["url"] == "https://blog.example.com"
    assert secret not in response.content.decode() and "app_password" not in body

    with db.cursor() as cursor:
        cursor.execute(
            "SELECT encrypted_password FROM publishing_wordpressconnection WHERE site_id = %s", [alice_site.id]
        )
        stored = cursor.fetchone()[0]
    assert secret not in stored and "abcd" not in stored
    assert WordPressConnection.objects.get(site=alice_site).application_password == secret

    # updating without a password keeps the stored one
    assert api.put(url, {"url": "https://blog.example.com", "username": "editor"}, format="json").status_code == 200
    assert WordPressConnection.objects.get(site=alice_site).application_password == secret
    assert api.put(url, {"url": "ftp://x", "username": "e"}, format="json").status_code == 400
    assert api.delete(url).status_code == 204
    assert api.get(url).json()["configured"] is False


def test_test_connection_against_real_wordpress(api, alice_site, wordpress):
    url = f"/api/v1/publishing/wordpress/?site_id={alice_site.id}"
    test_url = f"/api/v1/publishing/wordpress/test/?site_id={alice_site.id}"
    assert api.post(test_url).status_code == 400  # nothing saved yet

    api.put(
        url,
        {"url": wordpress.url, "username": wordpress.username, "app_password": wordpress.app_password},
        format="json",
    )
    result = api.post(test_url).json()
    assert result["ok"] is True and result["wordpress_user"] == wordpress.username
    assert api.get(url).json()["last_test_ok"] is True

    bad = api.post(
        test_url,
        {"url": wordpress.url, "username": wordpress.username, "app_password": "nope nope nope"},
        format="json",
    ).json()
    assert bad["ok"] is False and "401" in bad["detail"]
    assert WordPressConnection.objects.get(site=alice_site).application_password == wordpress.app_password  # not saved

    unicode_user = api.post(
        test_url, {"url": wordpress.url, "username": "josé✓", "app_password": "päss ☃"}, format="json"
    )
    assert unicode_user.status_code == 200 and unicode_user.json()["ok"] is False  # refused by WordPress, no crash

    not_wp = api.post(
        test_url, {"url": "http://127.0.0.1:9", "username": "x", "app_password": "y"}, format="json"
    ).json()
    assert not_wp["ok"] is False
    assert not_wp["detail"].startswith("Could not connect to 127.0.0.1:9 (connection refused)"), not_wp["detail"]
    assert "Errno" not in not_wp["detail"] and "HTTPConnectionPool" not in not_wp["detail"]


def test_retry_with_malformed_id_is_a_json_404(api, alice_site):
    response = api.post(f"/api/v1/publishing/queue/null/retry/?site_id={alice_site.id}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
