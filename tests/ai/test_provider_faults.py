"""Per-item fault isolation: whatever the OpenAI-compatible server does wrong for one item
(through the real openai SDK), that item is retried or fails with a clear code, an
AIRequestLog row and no charge; the other items of the batch are done."""

import pytest

from igny8_core.ai.engine import AIEngine
from igny8_core.ai.exceptions import AIError
from igny8_core.ai.models import AIRequestLog, ItemFailure
from igny8_core.ai.prompts import schemas
from igny8_core.writer.models import Content, Tasks

from .conftest import deductions, make_task
from .fake_openai import CHAT, FAULTS, IMAGES, FakeOpenAI
from .test_openai_provider import MESSAGES, make_provider

# What an item fails with when its fault persists through every retry.
CODE_OF_FAULT = {
    "http_500": "provider_error",
    "rate_limit": "rate_limited",
    "reset": "provider_error",
    "stall": "timeout",
    "malformed_body": "malformed_output",
    "schema_violation": "invalid_output",
    "empty": "malformed_output",
    "truncated": "malformed_output",
}
# Transport faults are retried by the provider (max_retries=1: 2 requests); answer faults get
# one correction request (2 answers).
REQUESTS_UNTIL_GIVEN_UP = 2


@pytest.fixture
def fake():
    server = FakeOpenAI().start()
    server.stall_seconds = 1.5  # past the provider's 0.5 s timeout
    yield server
    server.stop()


@pytest.fixture
def provider(fake):
    return make_provider(fake, max_retries=1)


def test_every_fault_has_a_code():
    assert set(CODE_OF_FAULT) == set(FAULTS)


@pytest.mark.parametrize("fault", FAULTS)
def test_one_fault_is_retried_and_the_answer_used(fake, provider, fault):
    fake.inject(CHAT, fault)

    answer = provider.complete_json(MESSAGES, schemas.ARTICLE, schema_name="article")

    assert answer.data["title"] == "Cold brew"
    assert [r.fault for r in fake.calls(CHAT)] == [fault, ""]


@pytest.mark.django_db
@pytest.mark.parametrize("fault", FAULTS)
def test_a_persistent_fault_fails_that_task_only_with_its_code_a_log_row_and_no_charge(
    fake, provider, account, site, settings, fault
):
    settings.AI_MAX_ITEM_ATTEMPTS = 3
    first, second = make_task(site, "Cold brew guide"), make_task(site, "French press guide")
    fake.inject(CHAT, *[fault] * REQUESTS_UNTIL_GIVEN_UP)

    engine = AIEngine(account, site, provider)
    result = engine.run("generate_content", [first.pk])
    assert engine.run("generate_content", [second.pk]).created_ids == [Content.objects.get(task=second).pk]

    assert result.items_processed == 0 and not Content.objects.filter(task=first).exists()
    assert result.failed == [
        {"id": first.pk, "error": result.failed[0]["error"], "code": CODE_OF_FAULT[fault], "attempts": 1}
    ]
    log = AIRequestLog.objects.get(function="generate_content", item_ids=[first.pk])
    assert not log.success and log.code == CODE_OF_FAULT[fault] and log.attempts >= 2
    assert [d.metadata["items"] for d in deductions(account)] == [[second.pk]]  # the failed task: no charge
    failure = ItemFailure.objects.get(function="generate_content", item_id=first.pk)
    assert (failure.attempts, failure.code) == (1, CODE_OF_FAULT[fault])
    first.refresh_from_db()
    assert first.status == Tasks.Status.QUEUED  # two attempts left: a later run tries again


@pytest.mark.django_db
def test_an_unexpected_sdk_exception_fails_the_item_not_the_batch(fake, provider, account, site, monkeypatch):
    first, second = make_task(site, "Cold brew guide"), make_task(site, "French press guide")
    real = provider.client.chat.completions.create
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise KeyError("choices")  # a bug in a client library, a proxy's odd answer...
        return real(**kwargs)

    monkeypatch.setattr(provider.client.chat.completions, "create", flaky)

    engine = AIEngine(account, site, provider)
    result = engine.run("generate_content", [first.pk])
    assert engine.run("generate_content", [second.pk]).items_processed == 1

    assert result.items_processed == 0 and result.failed[0]["id"] == first.pk
    assert result.failed[0]["code"] == "provider_error" and "KeyError" in result.failed[0]["error"]
    assert AIRequestLog.objects.filter(success=False, code="provider_error").count() == 1


@pytest.mark.django_db
def test_an_image_fault_fails_that_image_only(fake, provider, account, site):
    from .conftest import make_content, make_images

    content = make_content(site)
    images = make_images(content, 2)
    fake.inject(IMAGES, "http_500", "http_500")

    result = AIEngine(account, site, provider).run("generate_images", [images[1].pk, images[0].pk])

    assert result.items_failed == 1 and result.failed[0]["code"] == "provider_error"
    assert result.not_attempted == [images[0].pk]  # a provider down after retries: the rest waits


@pytest.mark.django_db
def test_faults_at_a_rate_are_reproducible(fake):
    fake.inject_faults(0.5, kinds=("http_500",), seed=7)
    first = [fake._random_fault(CHAT) for _ in range(20)]
    fake.inject_faults(0.5, kinds=("http_500",), seed=7)
    assert [fake._random_fault(CHAT) for _ in range(20)] == first and "http_500" in first and "" in first
    assert fake._random_fault("/files/x.png") == ""  # image downloads are never faulted


def test_unknown_fault_names_are_refused(fake):
    with pytest.raises(ValueError):
        fake.inject(CHAT, "gremlins")


def test_every_ai_error_has_a_code():
    import igny8_core.ai.exceptions as exceptions

    errors = [c for c in vars(exceptions).values() if isinstance(c, type) and issubclass(c, AIError)]
    assert all(c.code for c in errors) and len({c.code for c in errors}) >= 7
