"""Manual AI triggers on chosen ids: the engine's result, 402 before any work, 404/400 on bad ids."""

from decimal import Decimal

import pytest

from igny8_core.accounts.models import Account, Site
from igny8_core.billing.models import CreditTransaction
from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images, Tasks

from . import factories as f

pytestmark = pytest.mark.django_db
RESULT_KEYS = {
    "function",
    "items_requested",
    "items_processed",
    "items_failed",
    "created_ids",
    "failed",
    "credits_used",
    "stats",
    "not_attempted",
    "prompt_tokens",
    "completion_tokens",
    "provider_cost",
    "notes",
}


@pytest.fixture(autouse=True)
def demo_provider(settings):
    settings.IGNY8_AI_PROVIDER = "demo"


def post(api, url, ids):
    return api.post(url, {"ids": ids}, format="json")


def test_auto_cluster_then_the_whole_chain_by_hand(api, alice, alice_site):
    words = [
        "pour over coffee ratio",
        "pour over grind size",
        "best pour over kettle",
        "cold brew recipe",
        "cold brew ratio",
        "tomato plant care",
    ]
    keywords = [f.keyword(alice_site, w) for w in words]
    response = post(api, "/api/v1/planner/keywords/auto_cluster/", [k.pk for k in keywords])
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == RESULT_KEYS
    assert body["function"] == "auto_cluster" and body["items_requested"] == 6 and body["items_failed"] == 0
    assert body["stats"]["keywords_processed"] == 6
    assert body["stats"]["clusters_created"] == len(body["created_ids"]) > 0
    assert Decimal(body["credits_used"]) > 0
    assert not Keywords.objects.filter(site=alice_site, status="new").exists()
    alice.account.refresh_from_db()
    assert alice.account.credits_balance == Decimal("1000") - Decimal(body["credits_used"])

    cluster_ids = body["created_ids"][:5]
    ideas = post(api, "/api/v1/planner/clusters/generate_ideas/", cluster_ids).json()
    assert ideas["stats"]["ideas_created"] == len(ideas["created_ids"]) > 0

    tasks = post(api, "/api/v1/planner/ideas/queue_to_writer/", ideas["created_ids"]).json()
    assert tasks["stats"]["tasks_created"] == len(tasks["created_ids"]) > 0
    assert Decimal(tasks["credits_used"]) == 0

    content = post(api, "/api/v1/writer/tasks/generate_content/", tasks["created_ids"][:1]).json()
    assert content["stats"]["content_created"] == 1
    content_id = content["created_ids"][0]
    assert content["stats"]["total_words"] == Content.objects.get(pk=content_id).word_count > 0

    prompts = post(api, "/api/v1/writer/content/generate_image_prompts/", [content_id]).json()
    assert prompts["stats"]["prompts_created"] == Images.objects.filter(content_id=content_id).count() > 0

    images = post(api, "/api/v1/writer/images/generate_images/", prompts["created_ids"][:10]).json()
    assert images["stats"]["images_generated"] == len(prompts["created_ids"][:10])
    listed = api.get("/api/v1/writer/images/", {"content": content_id}).json()["results"]
    assert all(i["url"].startswith("http://testserver/media/") for i in listed)
    assert Content.objects.get(pk=content_id).status == "review"


def test_retry_on_done_items_reports_them_failed_and_charges_nothing(api, alice_site):
    keywords = [f.keyword(alice_site, w) for w in ["espresso grind", "espresso beans"]]
    ids = [k.pk for k in keywords]
    assert post(api, "/api/v1/planner/keywords/auto_cluster/", ids).status_code == 200
    deductions = CreditTransaction.objects.filter(transaction_type="deduction").count()

    again = post(api, "/api/v1/planner/keywords/auto_cluster/", ids).json()
    assert again["items_processed"] == 0 and again["items_failed"] == 2
    assert {item["id"] for item in again["failed"]} == set(ids)
    assert CreditTransaction.objects.filter(transaction_type="deduction").count() == deductions


def test_insufficient_credits_is_402_and_nothing_happens(api, alice, alice_site):
    Account.objects.filter(pk=alice.account_id).update(credits_balance=Decimal("0"))
    keywords = [f.keyword(alice_site) for _ in range(3)]
    response = post(api, "/api/v1/planner/keywords/auto_cluster/", [k.pk for k in keywords])
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "insufficient_credits"
    assert Decimal(body["required"]) > 0 and Decimal(body["balance"]) == 0
    assert not Clusters.objects.exists()
    assert Keywords.objects.filter(status="new").count() == 3


def test_queue_to_writer_is_free_even_without_credits(api, alice, alice_site):
    Account.objects.filter(pk=alice.account_id).update(credits_balance=Decimal("0"))
    idea = f.idea(alice_site, f.cluster(alice_site))
    response = post(api, "/api/v1/planner/ideas/queue_to_writer/", [idea.pk])
    assert response.status_code == 200
    assert Tasks.objects.get(idea=idea).status == "queued"
    assert ContentIdeas.objects.get(pk=idea.pk).status == "queued"


@pytest.mark.parametrize(
    "url, too_many",
    [
        ("/api/v1/planner/keywords/auto_cluster/", 21),
        ("/api/v1/planner/clusters/generate_ideas/", 6),
        ("/api/v1/writer/tasks/generate_content/", 2),
        ("/api/v1/writer/content/generate_image_prompts/", 11),
        ("/api/v1/writer/images/generate_images/", 11),
    ],
)
def test_too_many_ids_is_400(api, url, too_many):
    response = post(api, url, list(range(1, too_many + 1)))
    assert response.status_code == 400
    assert "ids" in response.json()


def test_ids_of_another_account_are_404_and_bob_is_untouched(api, bob_site):
    bobs = [f.keyword(bob_site) for _ in range(2)]
    response = post(api, "/api/v1/planner/keywords/auto_cluster/", [b.pk for b in bobs])
    assert response.status_code == 404
    assert Keywords.objects.filter(site=bob_site, status="new").count() == 2
    assert not CreditTransaction.objects.filter(transaction_type="deduction").exists()


def test_ids_from_two_sites_are_400(api, alice, alice_site):
    other = Site.objects.create(account=alice.account, name="Two", domain="two.example.com")
    response = post(api, "/api/v1/planner/keywords/auto_cluster/", [f.keyword(alice_site).pk, f.keyword(other).pk])
    assert response.status_code == 400
    assert "same site" in response.json()["ids"][0]


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": "1,2"}, {"ids": [-1]}])
def test_invalid_body_is_400(api, body):
    assert api.post("/api/v1/writer/tasks/generate_content/", body, format="json").status_code == 400


def test_unconfigured_openai_provider_is_a_clear_503_and_nothing_happens(api, alice, alice_site, settings):
    settings.IGNY8_AI_PROVIDER = "openai"
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = None
    keyword = f.keyword(alice_site, "pour over coffee ratio")
    response = post(api, "/api/v1/planner/keywords/auto_cluster/", [keyword.pk])
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "ai_provider_unavailable" and "OPENAI_API_KEY" in body["detail"]
    keyword.refresh_from_db()
    assert keyword.status == "new" and not CreditTransaction.objects.filter(transaction_type="deduction").exists()


def test_an_article_written_by_hand_for_a_site_without_images_goes_straight_to_review(api, alice, alice_site):
    alice_site.generate_images = False
    alice_site.save()
    task = Tasks.objects.create(site=alice_site, title="Cold brew at home", keywords=["cold brew"])

    body = post(api, "/api/v1/writer/tasks/generate_content/", [task.pk]).json()

    assert body["items_processed"] == 1
    assert Content.objects.get(pk=body["created_ids"][0]).status == "review"
