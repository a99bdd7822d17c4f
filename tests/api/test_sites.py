"""Sites: list/create/update inside the account; domains unique per account."""

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


def test_put_and_delete_are_not_offered(api, alice_site):
    assert api.put(f"/api/v1/sites/{alice_site.pk}/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/sites/{alice_site.pk}/").status_code == 405


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
