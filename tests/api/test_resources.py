"""Clusters, ideas, tasks, content (detail, approve, bulk approve), images (absolute url), billing."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from igny8_core.billing.services import CreditService
from igny8_core.writer.models import Content, Images

from . import factories as f

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    return data["results"]


def test_clusters_list_filter_search_detail(api, alice_site, bob_site):
    new = f.cluster(alice_site, "Coffee Brewing", description="d")
    mapped = f.cluster(alice_site, "Gardening", status="mapped", keywords_count=4)
    f.cluster(bob_site, "Bob cluster")
    assert [c["id"] for c in results(api.get("/api/v1/planner/clusters/"))] == [new.pk, mapped.pk]
    assert [c["id"] for c in results(api.get("/api/v1/planner/clusters/", {"status": "mapped"}))] == [mapped.pk]
    assert [c["id"] for c in results(api.get("/api/v1/planner/clusters/", {"search": "brew"}))] == [new.pk]
    detail = api.get(f"/api/v1/planner/clusters/{mapped.pk}/").json()
    assert detail == {
        "id": mapped.pk,
        "site": alice_site.pk,
        "name": "Gardening",
        "description": "",
        "keywords_count": 4,
        "status": "mapped",
        "created_at": detail["created_at"],
        "updated_at": detail["updated_at"],
    }


def test_ideas_list_and_detail(api, alice_site):
    items = f.pipeline(alice_site)
    lone = f.idea(alice_site)
    listed = results(api.get("/api/v1/planner/ideas/", {"site_id": alice_site.pk}))
    assert [i["id"] for i in listed] == [items["idea"].pk, lone.pk]
    first = listed[0]
    assert first["task"] == items["task"].pk and first["cluster_name"] == items["cluster"].name
    assert first["status"] == "queued" and listed[1]["task"] is None
    assert [i["id"] for i in results(api.get("/api/v1/planner/ideas/", {"status": "new"}))] == [lone.pk]
    assert [i["id"] for i in results(api.get("/api/v1/planner/ideas/", {"cluster": items["cluster"].pk}))] == [
        items["idea"].pk
    ]
    assert api.get(f"/api/v1/planner/ideas/{lone.pk}/").json()["idea_title"] == lone.idea_title


def test_tasks_list_and_detail(api, alice_site):
    items = f.pipeline(alice_site)
    queued = f.task(alice_site)
    listed = results(api.get("/api/v1/writer/tasks/"))
    assert {t["id"]: t["content"] for t in listed} == {items["task"].pk: items["content"].pk, queued.pk: None}
    assert [t["id"] for t in results(api.get("/api/v1/writer/tasks/", {"status": "queued"}))] == [queued.pk]
    detail = api.get(f"/api/v1/writer/tasks/{items['task'].pk}/").json()
    assert detail["idea"] == items["idea"].pk and detail["status"] == "completed"


def test_content_list_has_review_fields_and_featured_thumbnail(api, alice_site):
    items = f.pipeline(alice_site)
    draft = f.content(alice_site, status=Content.Status.DRAFT)
    listed = results(api.get("/api/v1/writer/content/", {"status": "review"}))
    assert [c["id"] for c in listed] == [items["content"].pk]
    item = listed[0]
    for field in ("status", "word_count", "title", "meta_title", "meta_description", "site_status"):
        assert field in item
    assert "html_content" not in item
    assert item["featured_image"]["id"] == items["image"].pk
    assert item["featured_image"]["url"].startswith("http://testserver/media/images/")
    assert [c["id"] for c in results(api.get("/api/v1/writer/content/", {"status": "draft"}))] == [draft.pk]


def test_content_detail_has_html_and_images_in_order(api, alice_site):
    items = f.pipeline(alice_site)
    c = items["content"]
    second = f.image(c, Images.ImageType.IN_ARTICLE, position=2, generated=False)
    first = f.image(c, Images.ImageType.IN_ARTICLE, position=1)
    detail = api.get(f"/api/v1/writer/content/{c.pk}/").json()
    assert detail["html_content"] == c.html_content
    assert [i["id"] for i in detail["images"]] == [items["image"].pk, first.pk, second.pk]
    assert detail["images"][2]["url"] is None and detail["images"][2]["status"] == "pending"


def test_approve_only_from_review(api, alice_site):
    review = f.content(alice_site)
    draft = f.content(alice_site, status=Content.Status.DRAFT)

    response = api.post(f"/api/v1/writer/content/{review.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["approved_at"]
    review.refresh_from_db()
    assert review.status == "approved" and review.approved_at

    again = api.post(f"/api/v1/writer/content/{review.pk}/approve/")
    assert again.status_code == 409
    assert again.json()["code"] == "not_in_review"
    assert api.post(f"/api/v1/writer/content/{draft.pk}/approve/").status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_bulk_approve_is_all_or_nothing(api, alice_site, bob_site):
    a, b = f.content(alice_site), f.content(alice_site)
    draft = f.content(alice_site, status=Content.Status.DRAFT)
    bobs = f.content(bob_site)

    conflict = api.post("/api/v1/writer/content/bulk_approve/", {"ids": [a.pk, draft.pk]}, format="json")
    assert conflict.status_code == 409
    assert str(draft.pk) in conflict.json()["detail"]
    assert api.post("/api/v1/writer/content/bulk_approve/", {"ids": [a.pk, bobs.pk]}, format="json").status_code == 404
    assert Content.objects.filter(status="approved").count() == 0

    ok = api.post("/api/v1/writer/content/bulk_approve/", {"ids": [b.pk, a.pk]}, format="json")
    assert ok.status_code == 200
    assert [c["id"] for c in ok.json()] == sorted([a.pk, b.pk])
    assert all(c["status"] == "approved" for c in ok.json())
    assert api.post("/api/v1/writer/content/bulk_approve/", {"ids": []}, format="json").status_code == 400


def test_images_list_filters_and_absolute_url(api, alice_site):
    items = f.pipeline(alice_site)
    pending = f.image(items["content"], Images.ImageType.IN_ARTICLE, position=1, generated=False)
    listed = results(api.get("/api/v1/writer/images/"))
    assert [i["id"] for i in listed] == [items["image"].pk, pending.pk]
    generated = listed[0]
    for field in ("status", "image_type", "prompt", "url", "thumbnail_url", "content", "position"):
        assert field in generated
    assert generated["url"] == f"http://testserver/media/{items['image'].file.name}"
    assert default_storage.exists(generated["url"].removeprefix("http://testserver/media/"))
    assert [i["id"] for i in results(api.get("/api/v1/writer/images/", {"status": "pending"}))] == [pending.pk]
    assert [i["id"] for i in results(api.get("/api/v1/writer/images/", {"image_type": "featured"}))] == [
        items["image"].pk
    ]
    assert len(results(api.get("/api/v1/writer/images/", {"content": items["content"].pk}))) == 2


def test_billing_balance_and_ledger(api, alice, alice_site, bob):
    CreditService.deduct(
        alice.account, Decimal("12.5"), "clustering", idempotency_key="k1", site=alice_site, description="auto_cluster"
    )
    CreditService.deduct(bob.account, Decimal("1"), "clustering")

    assert api.get("/api/v1/billing/balance/").json() == {"credits_balance": "987.50"}
    ledger = results(api.get("/api/v1/billing/transactions/"))
    assert [(t["transaction_type"], t["amount"], t["balance_after"]) for t in ledger] == [
        ("deduction", "-12.50", "987.50"),
        ("grant", "1000.00", "1000.00"),
    ]
    assert ledger[0]["site"] == alice_site.pk and ledger[0]["operation"] == "clustering"
    by_site = results(api.get("/api/v1/billing/transactions/", {"site_id": alice_site.pk}))
    assert [t["amount"] for t in by_site] == ["-12.50"]
    grants = results(api.get("/api/v1/billing/transactions/", {"transaction_type": "grant"}))
    assert [t["amount"] for t in grants] == ["1000.00"]
