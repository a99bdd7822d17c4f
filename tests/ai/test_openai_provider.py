"""The openai provider through the real `openai` SDK against a local OpenAI-compatible
server started by the tests: request shape, retries (429 + Retry-After, 5xx, timeouts),
malformed output, images as b64_json and as url - and the engine on top of it."""

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import openai as openai_sdk
import pytest
from PIL import Image

from igny8_core.ai import imaging
from igny8_core.ai.engine import AIEngine
from igny8_core.ai.exceptions import MalformedOutput, ProviderError
from igny8_core.ai.models import AIRequestLog
from igny8_core.ai.prompts import INPUT_MARKER, schemas
from igny8_core.ai.providers import configured_image_variant, get_provider
from igny8_core.ai.providers import openai as provider_module
from igny8_core.ai.providers.openai import OpenAIProvider, parse_retry_after
from igny8_core.planner.models import ContentIdeas
from igny8_core.writer.models import Content

from .conftest import deductions, make_cluster, make_content, make_images, make_task
from .fake_openai import CHAT, IMAGES, FakeOpenAI, Reply, chat_reply, error_reply

MESSAGES = [
    {"role": "system", "content": "Answer in JSON."},
    {
        "role": "user",
        "content": f"Write it.\n\n{INPUT_MARKER}\n"
        + json.dumps(
            {
                "title": "Cold brew",
                "keywords": ["cold brew"],
                "target_words": 100,
                "site": {"name": "Alice Site", "topic": "coffee"},
            }
        ),
    },
]


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    yield server
    server.stop()


def make_provider(fake, **overrides):
    options = dict(
        api_key="sk-test",
        base_url=fake.base_url,
        text_model="test-text",
        image_model="test-image",
        image_size="512x512",
        image_quality="standard",
        image_response_format="",
        timeout=0.5,
        max_retries=3,
        retry_base_delay=0.05,
        retry_max_delay=0.2,
        retry_after_max=5,
    )
    options.update(overrides)
    return OpenAIProvider(**options)


@pytest.fixture
def provider(fake):
    return make_provider(fake)


def gaps(calls):
    return [b.at - a.at for a, b in zip(calls, calls[1:], strict=False)]


# --- request shape and the engine through the SDK ------------------------------------


@pytest.mark.django_db
def test_generate_ideas_through_the_sdk_request_shape_and_log(fake, provider, account, site):
    cluster = make_cluster(site, "Cold Brew")

    result = AIEngine(account, site, provider).run("generate_ideas", [cluster.pk])

    [call] = fake.calls(CHAT)
    assert call.headers["authorization"] == "Bearer sk-test"
    body = call.body
    assert body["model"] == "test-text"
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "content_ideas", "schema": schemas.CONTENT_IDEAS, "strict": True},
    }
    system, user = body["messages"]
    assert (
        system["role"] == "system" and "Alice Site" in system["content"] and "home coffee brewing" in system["content"]
    )
    assert user["role"] == "user" and "Propose 2 distinct article ideas" in user["content"]
    payload = json.loads(user["content"].split(INPUT_MARKER)[1])
    assert payload["cluster"]["name"] == "Cold Brew"
    assert sorted(payload["cluster"]["keywords"]) == ["cold brew ratio", "cold brew recipe"]

    assert result.stats == {"clusters_processed": 1, "ideas_created": 2, "duplicates_skipped": 0}
    assert ContentIdeas.objects.filter(cluster=cluster).count() == 2
    assert result.credits_used == Decimal("2.00")
    [row] = AIRequestLog.objects.all()
    assert (row.provider, row.model, row.prompt_tokens, row.completion_tokens, row.attempts, row.success) == (
        "openai",
        "test-text",
        11,
        7,
        1,
        True,
    )
    assert row.credits == Decimal("2.00") and row.duration_ms >= 0


def test_selected_by_setting_and_refuses_to_start_without_key(settings, fake):
    settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL = "", None
    with pytest.raises(ProviderError, match="OPENAI_API_KEY"):
        get_provider("openai")
    settings.OPENAI_BASE_URL = fake.base_url  # a local server needs no key
    settings.OPENAI_TEXT_MODEL = "llama3.1"
    provider = get_provider("openai")
    assert isinstance(provider, OpenAIProvider) and provider.text_model == "llama3.1"
    assert get_provider("demo").name == "demo"


@pytest.mark.django_db
def test_estimates_build_no_sdk_client_and_one_provider_builds_one(settings, fake, monkeypatch, account, site):
    settings.IGNY8_AI_PROVIDER, settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = "openai", fake.base_url, "sk"
    built = []
    real = openai_sdk.OpenAI
    monkeypatch.setattr(openai_sdk, "OpenAI", lambda **options: built.append(options) or real(**options))
    engine = AIEngine(account, site)
    images = make_images(make_content(site), count=2)
    for _ in range(3):  # what the dashboard's estimate polling asks
        assert configured_image_variant() == f"{settings.OPENAI_IMAGE_SIZE}:{settings.OPENAI_IMAGE_QUALITY}"
        assert engine.estimate("generate_images", [image.pk for image in images]) > 0
    assert built == []
    provider = make_provider(fake)
    provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")
    provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")
    assert len(built) == 1


def test_the_providers_of_one_account_share_one_client_built_once_however_many_threads_ask(fake, monkeypatch):
    built = []
    real = openai_sdk.OpenAI

    def slow_build(**options):  # as slow as a real one: every thread asks while it is built
        built.append(options)
        time.sleep(0.05)
        return real(**options)

    monkeypatch.setattr(openai_sdk, "OpenAI", slow_build)
    first_run, second_run = make_provider(fake), make_provider(fake)  # each run's engine builds its own
    with ThreadPoolExecutor(8) as threads:  # a stage's batches making their first requests together
        clients = list(threads.map(lambda provider: provider.client, [first_run] * 4 + [second_run] * 4))
    assert len(built) == 1 and all(client is clients[0] for client in clients)
    assert make_provider(fake, api_key="sk-other").client is not clients[0]  # another account
    assert make_provider(fake, timeout=2).client is not clients[0]
    monkeypatch.setattr(provider_module.os, "getpid", lambda: -1)  # a forked worker: never its parent's sockets
    assert make_provider(fake).client is not clients[0]
    assert len(built) == 4


# --- retries -------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured_then_succeeds(fake, provider):
    fake.script(CHAT, error_reply(429, "slow down", {"Retry-After": "1"}))

    answer = provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")

    calls = fake.calls(CHAT)
    assert len(calls) == 2 and answer.attempts == 2
    assert gaps(calls)[0] >= 0.95  # waited what the server asked, not the 0.05s backoff
    assert answer.data["title"] == "Cold brew"


def test_5xx_is_retried_with_exponential_backoff(fake, provider):
    fake.script(CHAT, error_reply(500), error_reply(503))

    answer = provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")

    calls = fake.calls(CHAT)
    assert len(calls) == 3 and answer.attempts == 3
    first, second = gaps(calls)
    assert first >= 0.04 and second >= 0.08  # 0.05 then 0.10 (minus at most 20% jitter)


def test_persistent_5xx_gives_up_after_bounded_retries(fake, provider):
    fake.script(CHAT, *[error_reply(502, "bad gateway")] * 10)
    started = time.monotonic()

    with pytest.raises(ProviderError) as info:
        provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")

    assert len(fake.calls(CHAT)) == 4  # 1 + max_retries
    assert info.value.transient and info.value.attempts == 4
    assert "after 4 attempts" in str(info.value) and "502" in str(info.value)
    assert time.monotonic() - started < 2  # 0.05 + 0.1 + 0.2 (capped), not unbounded


def test_timeout_is_retried(fake, provider):
    fake.script(CHAT, Reply(delay=1.5, body={}))  # longer than the 0.5s client timeout

    answer = provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")

    calls = fake.calls(CHAT)
    assert len(calls) == 2 and answer.attempts == 2
    assert gaps(calls)[0] >= 0.5


def test_client_errors_are_not_retried(fake, provider):
    fake.script(CHAT, error_reply(400, "Invalid schema for response_format"))
    with pytest.raises(ProviderError, match="HTTP 400: Invalid schema") as info:
        provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")
    assert len(fake.calls(CHAT)) == 1 and not info.value.transient


def test_retry_after_beyond_the_maximum_gives_up(fake, provider):
    fake.script(CHAT, error_reply(429, "quota", {"Retry-After": "3600"}))
    with pytest.raises(ProviderError, match="retry after 3600s"):
        provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")
    assert len(fake.calls(CHAT)) == 1


def test_parse_retry_after_forms():
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert 0 <= parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert parse_retry_after({}) is None


# --- malformed output ----------------------------------------------------------------


def test_malformed_json_is_retried_once_with_a_correction(fake, provider):
    fake.script(CHAT, chat_reply("Sure! Here is the article: {title: Cold brew"))

    answer = provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")

    first, second = fake.calls(CHAT)
    assert len(first.body["messages"]) == 2
    assert [m["role"] for m in second.body["messages"]] == ["system", "user", "assistant", "user"]
    assert "not valid JSON" in second.body["messages"][3]["content"]
    assert answer.data["title"] == "Cold brew" and answer.prompt_tokens == 22


def test_schema_mismatch_counts_as_malformed(fake, provider):
    fake.script(CHAT, chat_reply(json.dumps({"title": "x"})))
    provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")
    second = fake.calls(CHAT)[1]
    assert "'meta_title' is a required property" in second.body["messages"][3]["content"]


def test_fenced_json_is_accepted(fake, provider):
    article = {"title": "T", "meta_title": "M", "meta_description": "D", "html_content": "<p>x</p>", "faq": []}
    fake.script(CHAT, chat_reply("```json\n" + json.dumps(article) + "\n```"))
    assert provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article").data == article


@pytest.mark.django_db
def test_malformed_twice_fails_the_item_with_a_clear_error(fake, provider, account, site):
    fake.script(CHAT, chat_reply("not json"), chat_reply("still { not json"))
    task = make_task(site)

    result = AIEngine(account, site, provider).run("generate_content", [task.pk])

    task.refresh_from_db()
    assert task.status == "failed" and "not valid JSON" in task.error_message
    assert result.items_failed == 1 and result.failed[0]["id"] == task.pk
    assert result.failed[0]["code"] == "malformed_output" and "after 2 answers" in result.failed[0]["error"]
    assert not Content.objects.exists() and deductions(account) == [] and result.credits_used == 0
    [row] = AIRequestLog.objects.all()
    assert not row.success and row.attempts == 2 and row.prompt_tokens == 22 and "not valid JSON" in row.error


def test_malformed_twice_raises_malformed_output(fake, provider):
    fake.script(CHAT, chat_reply("x"), chat_reply(json.dumps({"title": 1})))
    with pytest.raises(MalformedOutput, match="still invalid after 2 answers") as info:
        provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")
    assert info.value.usage == {"prompt_tokens": 22, "completion_tokens": 14, "attempts": 2}
    assert len(fake.calls(CHAT)) == 2


# --- images --------------------------------------------------------------------------


@pytest.mark.django_db
def test_images_as_b64_json_are_stored_normalised(fake, provider, account, site):
    content = make_content(site)
    images = make_images(content, 2)

    result = AIEngine(account, site, provider).run("generate_images", [i.pk for i in images])

    calls = fake.calls(IMAGES)
    assert len(calls) == 2
    assert calls[0].body == {
        "model": "test-image",
        "prompt": images[0].prompt,
        "n": 1,
        "size": "512x512",
        "quality": "standard",
    }
    assert result.stats["images_generated"] == 2 and result.credits_used == Decimal("4.00")
    for image in images:
        image.refresh_from_db()
        assert image.status == "generated"
        with Image.open(image.file.path) as stored:
            assert stored.format == "JPEG" and stored.size == (320, 200)
    content.refresh_from_db()
    assert content.status == "review"
    assert set(AIRequestLog.objects.values_list("model", flat=True)) == {"test-image"}


def generate_one_image(fake, account, site, **provider_options):
    """(image row, engine result) of one image generated through a provider on `fake`."""
    [image] = make_images(make_content(site), 1)
    result = AIEngine(account, site, make_provider(fake, **provider_options)).run("generate_images", [image.pk])
    image.refresh_from_db()
    return image, result


@pytest.mark.django_db
def test_gpt_image_models_are_asked_for_the_stored_format(fake, account, site, settings):
    """A JPEG answer is a fraction of a PNG's size and decodes in a third of its time."""
    settings.IGNY8_IMAGE_FORMAT = "JPEG"

    image, result = generate_one_image(fake, account, site, image_model="gpt-image-1")

    asked = fake.calls(IMAGES)[0].body
    assert (asked["output_format"], asked["output_compression"]) == ("jpeg", imaging.QUALITY)
    assert result.items_processed == 1
    with Image.open(image.file.path) as stored:
        assert stored.format == "JPEG" and stored.size == (320, 200)
    # Already what would be stored: kept as it came, only its thumbnail is made.
    [answer] = fake.image_answers
    assert image.file.read() == answer


@pytest.mark.parametrize(
    "setting, model, stored, asked",
    [
        ("auto", "gpt-image-1", "JPEG", "jpeg"),
        ("auto", "gpt-image-1", "WEBP", "webp"),
        ("auto", "dall-e-3", "JPEG", None),  # other models reject the parameter
        ("none", "gpt-image-1", "JPEG", None),
        ("png", "gpt-image-1", "JPEG", "png"),
        ("jpeg", "flux-local", "PNG", "jpeg"),  # an OpenAI-compatible server that takes it
    ],
)
def test_output_format_follows_the_setting_and_the_model(fake, settings, setting, model, stored, asked):
    settings.OPENAI_IMAGE_OUTPUT_FORMAT, settings.IGNY8_IMAGE_FORMAT = setting, stored
    provider = make_provider(fake, image_model=model)
    provider.generate_image("a cup of coffee")
    body = fake.calls(IMAGES)[0].body
    assert body.get("output_format") == asked
    # Only JPEG and WEBP have a compression level; a PNG request must not carry one.
    assert body.get("output_compression") == (imaging.QUALITY if asked in ("jpeg", "webp") else None)


@pytest.mark.django_db
def test_images_as_url_are_downloaded_from_the_server(fake, account, site):
    fake.image_mode = "url"

    image, result = generate_one_image(fake, account, site, image_response_format="url")

    assert fake.calls(IMAGES)[0].body["response_format"] == "url"
    downloads = [r for r in fake.requests if r.method == "GET"]
    assert [r.path for r in downloads] == ["/files/img-0.png"]
    assert result.items_processed == 1 and image.status == "generated" and image.width == 320


@pytest.mark.django_db
def test_undecodable_image_fails_the_item_without_charge(fake, provider, account, site):
    fake.script(IMAGES, Reply(body={"data": [{"b64_json": base64.b64encode(b"<html>no image</html>").decode()}]}))
    content = make_content(site)
    [image] = make_images(content, 1)

    result = AIEngine(account, site, provider).run("generate_images", [image.pk])

    image.refresh_from_db()
    assert image.status == "failed" and "could not be decoded" in image.error_message
    assert result.failed[0]["code"] == "malformed_output" and result.credits_used == 0
    assert deductions(account) == []
    content.refresh_from_db()
    assert content.status == "review"  # nothing pending is left: the content is not stuck in draft


@pytest.mark.django_db
def test_provider_outage_leaves_the_rest_of_the_batch_pending_untried(fake, provider, account, site):
    fake.script(IMAGES, *[error_reply(503, "overloaded")] * 20)
    content = make_content(site)
    images = make_images(content, 3)

    result = AIEngine(account, site, provider).run("generate_images", [i.pk for i in images])

    assert len(fake.calls(IMAGES)) == 4  # the first image's retries only; the others are not tried
    assert result.items_failed == 1 and result.failed[0]["code"] == "provider_error"
    assert result.not_attempted == [images[1].pk, images[2].pk]
    states = {i.pk: i.status for i in content.images.all()}
    assert states == {images[0].pk: "failed", images[1].pk: "pending", images[2].pk: "pending"}
    assert result.stats["images_processed"] == 1 and deductions(account) == []
