"""Structured-output modes of the text role against a local server that, like many local
servers, answers a `json_schema` response_format with 400: json_object (JSON mode, schema in
the prompt) and prompt (schema in the prompt, JSON extracted from a chatty answer). Every
answer is validated against the function's schema either way."""

import json

import pytest

from igny8_core.ai.engine import AIEngine
from igny8_core.ai.exceptions import ProviderError
from igny8_core.ai.prompts import schemas
from igny8_core.ai.providers import get_provider
from igny8_core.ai.schema import extract_json
from igny8_core.writer.models import Content

from .conftest import deductions, make_task
from .fake_openai import CHAT, chat_reply, serving


@pytest.fixture
def server():
    with serving(serves=("chat",), json_schema=False) as server:
        yield server


@pytest.fixture
def text_only(settings, server):
    settings.IGNY8_AI_PROVIDER, settings.IGNY8_IMAGE_PROVIDER = "openai", "none"
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY, settings.OPENAI_TEXT_MODEL = server.base_url, "", "qwen2.5"
    settings.OPENAI_MAX_RETRIES, settings.OPENAI_TIMEOUT = 0, 5
    return settings


def write_article(account, site):
    task = make_task(site)
    result = AIEngine(account, site).run("generate_content", [task.pk])
    task.refresh_from_db()
    return task, result


@pytest.mark.django_db
def test_json_schema_on_a_server_without_it_fails_the_item_with_the_servers_reason(text_only, account, site):
    task, result = write_article(account, site)
    assert result.failed[0]["code"] == "provider_error" and "json_schema" in result.failed[0]["error"]
    assert task.status == "failed" and deductions(account) == []


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["json_object", "prompt"])
def test_json_object_and_prompt_modes_write_a_schema_valid_article(text_only, server, account, site, mode):
    text_only.OPENAI_STRUCTURED_OUTPUT = mode

    task, result = write_article(account, site)

    assert result.items_processed == 1 and task.status == "completed"
    content = Content.objects.get(task=task)
    assert content.word_count >= 50 and content.meta_title
    [call] = server.calls(CHAT)
    assert call.body.get("response_format") == ({"type": "json_object"} if mode == "json_object" else None)
    instructions = call.body["messages"][-1]
    assert instructions["role"] == "system" and "schema `article`" in instructions["content"]
    assert json.loads(instructions["content"].split("\n", 1)[1]) == schemas.ARTICLE


@pytest.mark.django_db
def test_an_answer_against_the_schema_is_retried_once_then_the_items_invalid_output(text_only, server, account, site):
    text_only.OPENAI_STRUCTURED_OUTPUT = "json_object"
    server.script(CHAT, chat_reply(json.dumps({"title": "T"})), chat_reply(json.dumps({"title": 3})))

    task, result = write_article(account, site)

    assert result.failed[0]["code"] == "invalid_output" and "does not match the expected schema" in task.error_message
    assert task.status == "failed" and len(server.calls(CHAT)) == 2 and deductions(account) == []


@pytest.mark.django_db
def test_prompt_mode_rejects_an_answer_without_json(text_only, server, account, site):
    text_only.OPENAI_STRUCTURED_OUTPUT = "prompt"
    server.script(CHAT, chat_reply("I cannot help with that."), chat_reply("Still no."))

    task, result = write_article(account, site)

    assert result.failed[0]["code"] == "malformed_output" and task.status == "failed"


def test_prompt_mode_takes_the_json_out_of_a_chatty_answer(text_only, server):
    text_only.OPENAI_STRUCTURED_OUTPUT = "prompt"
    article = {"title": "T", "meta_title": "M", "meta_description": "D", "html_content": "<p>x</p>", "faq": []}
    server.script(CHAT, chat_reply("Here you go: " + json.dumps(article) + " Enjoy!"))
    provider = get_provider()
    messages = [{"role": "user", "content": "Write it."}]
    assert provider.complete_json(messages, schemas.ARTICLE, schema_name="article").data == article


def test_an_unknown_mode_is_refused(text_only):
    text_only.OPENAI_STRUCTURED_OUTPUT = "xml"
    with pytest.raises(ProviderError, match="structured_output"):
        get_provider().for_role("text")


@pytest.mark.parametrize(
    "text, expected",
    [
        ('Sure!\n```json\n{"a": 1}\n```\nBye', '{"a": 1}'),
        ('```\n{"a": 1}\n```', '{"a": 1}'),
        ('The answer is {"a": {"b": 2}} as asked.', '{"a": {"b": 2}}'),
        ("no json here", "no json here"),
        ("", ""),
    ],
)
def test_extract_json(text, expected):
    assert extract_json(text) == expected
