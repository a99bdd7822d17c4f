"""Whole runs the way people run providers: text on a local chat-only server that refuses
`json_schema` (JSON mode instead), images on a separate image server - or no images at all -
with tokens and provider cost shown per stage, per run and per month."""

from decimal import Decimal

import pytest
from ai.fake_openai import CHAT, IMAGES, serving
from automation.helpers import add_keywords, fast_config, start_and_execute
from django.db.models import Sum

from igny8_core.ai.models import AIRequestLog, ModelPrice
from igny8_core.automation.models import RunStatus
from igny8_core.writer.models import Content, Images

pytestmark = pytest.mark.django_db


@pytest.fixture
def text_server():
    with serving(serves=("chat",), json_schema=False) as server:
        yield server


@pytest.fixture
def image_server():
    with serving(serves=("images",)) as server:
        yield server


@pytest.fixture
def providers(settings, tmp_path, text_server, image_server):
    settings.MEDIA_ROOT, settings.IGNY8_LOG_ROOT = tmp_path / "media", tmp_path / "logs"
    settings.AUTOMATION_HEARTBEAT_INTERVAL = 3600
    settings.IGNY8_AI_PROVIDER, settings.IGNY8_IMAGE_PROVIDER = "openai", "openai"
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = text_server.base_url, ""
    settings.OPENAI_IMAGE_BASE_URL, settings.OPENAI_IMAGE_API_KEY = image_server.base_url, "sk-images"
    settings.OPENAI_TEXT_MODEL, settings.OPENAI_STRUCTURED_OUTPUT = "gpt-4o-mini", "json_object"
    settings.OPENAI_IMAGE_MODEL, settings.OPENAI_IMAGE_SIZE, settings.OPENAI_IMAGE_QUALITY = (
        "dall-e-3",
        "1024x1024",
        "standard",
    )
    settings.OPENAI_IMAGE_RESPONSE_FORMAT = "b64_json"
    settings.OPENAI_MAX_RETRIES, settings.OPENAI_TIMEOUT = 0, 10
    settings.IGNY8_IMAGE_MAX_SIZE, settings.IGNY8_IMAGE_THUMBNAIL_SIZE = 320, 100
    return settings


@pytest.fixture
def site(alice_site):
    alice_site.in_article_images = 1
    alice_site.save()
    add_keywords(alice_site, 4)
    fast_config(alice_site)
    return alice_site


def test_text_on_a_json_mode_server_and_images_on_another_completes_with_images(
    api, providers, text_server, image_server, site
):
    run = start_and_execute(site)

    assert run.status == RunStatus.COMPLETED, run.error_message
    contents = Content.objects.filter(site=site)
    assert contents.count() > 0 and set(contents.values_list("status", flat=True)) == {"review"}
    assert Images.objects.filter(site=site, status="generated").count() == 2 * contents.count()
    assert text_server.calls(CHAT) and not text_server.calls(IMAGES)
    assert {c.body["response_format"]["type"] for c in text_server.calls(CHAT)} == {"json_object"}
    assert len(image_server.calls(IMAGES)) == 2 * contents.count() and not image_server.calls(CHAT)

    # Provider cost = tokens x the model's price (+ the price per image), per row and in total.
    price = ModelPrice.objects.get(model="gpt-4o-mini")
    for row in AIRequestLog.objects.exclude(function="generate_images"):
        expected = (row.prompt_tokens * price.input_per_million + row.completion_tokens * price.output_per_million) / (
            Decimal(10) ** 6
        )
        assert row.provider_cost == expected.quantize(Decimal("0.000001")) > 0
    assert {row.provider_cost for row in AIRequestLog.objects.filter(function="generate_images")} == {Decimal("0.04")}
    logged = AIRequestLog.objects.aggregate(
        cost=Sum("provider_cost"), p=Sum("prompt_tokens"), c=Sum("completion_tokens")
    )

    history = api.get(f"/api/v1/automation/history/?site_id={site.pk}").json()["runs"][0]
    assert Decimal(history["provider_cost"]) == logged["cost"]
    assert (history["prompt_tokens"], history["completion_tokens"]) == (logged["p"], logged["c"])
    progress = api.get(f"/api/v1/automation/run_progress/?site_id={site.pk}&run_id={run.run_id}").json()
    assert Decimal(progress["metrics"]["provider_cost"]) == logged["cost"]
    assert progress["run"]["provider_cost"] == history["provider_cost"]
    stage_6 = progress["stages"][5]["result"]
    assert Decimal(stage_6["provider_cost"]) == Decimal("0.04") * Images.objects.filter(site=site).count()
    assert stage_6["prompt_tokens"] == 0 and progress["stages"][3]["result"]["prompt_tokens"] > 0

    detail = api.get(f"/api/v1/automation/run_detail/?site_id={site.pk}&run_id={run.run_id}").json()["run"]
    assert detail["provider_cost"] == history["provider_cost"] and detail["prompt_tokens"] == logged["p"]

    [month] = api.get("/api/v1/billing/usage/").json()["months"]
    assert Decimal(month["provider_cost"]) == logged["cost"] and month["prompt_tokens"] == logged["p"]
    assert Decimal(month["credits"]) == run.total_credits_used


def test_the_same_run_with_image_role_none_puts_every_draft_in_review_without_images(providers, image_server, site):
    providers.IGNY8_IMAGE_PROVIDER = "none"

    run = start_and_execute(site)

    assert run.status == RunStatus.COMPLETED, run.error_message
    contents = Content.objects.filter(site=site)
    assert contents.count() > 0 and set(contents.values_list("status", flat=True)) == {"review"}
    assert not Images.objects.exists() and image_server.requests == []
    assert run.stage_result(5)["status"] == run.stage_result(6)["status"] == "skipped"
    assert run.stage_result(7)["ready_for_review"] == contents.count()


def test_monthly_usage_is_the_accounts_own_and_validates_its_parameters(api, bob_api, alice_site, bob_site):
    AIRequestLog.objects.create(
        account=alice_site.account, site=alice_site, function="generate_content", provider="openai",
        model="gpt-4o", prompt_tokens=1000, completion_tokens=500, provider_cost=Decimal("0.0075"),
        credits=Decimal("3.00"),
    )  # fmt: skip
    [month] = api.get("/api/v1/billing/usage/").json()["months"]
    assert month["requests"] == 1 and month["provider_cost"] == "0.007500" and month["credits"] == "3.00"
    assert bob_api.get("/api/v1/billing/usage/").json() == {"months": []}
    assert api.get(f"/api/v1/billing/usage/?site_id={bob_site.pk}").status_code == 404
    assert api.get("/api/v1/billing/usage/?months=0").status_code == 400
