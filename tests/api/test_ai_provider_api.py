"""Bring your own key: GET/PUT/DELETE /api/v1/ai/provider/ and POST /api/v1/ai/provider/test/,
against local OpenAI-compatible servers through the real SDK."""

import socket

import pytest
from ai.fake_openai import CHAT, IMAGES, serving

from igny8_core.ai.engine import AIEngine
from igny8_core.ai.exceptions import ProviderError
from igny8_core.ai.models import AccountAIProvider
from igny8_core.publishing.crypto import decrypt
from igny8_core.writer.models import Content, Tasks

pytestmark = pytest.mark.django_db
URL = "/api/v1/ai/provider/"


@pytest.fixture
def server():
    with serving() as server:
        yield server


@pytest.fixture
def text_only_server():
    with serving(serves=("chat",), json_schema=False) as server:
        yield server


@pytest.fixture(autouse=True)
def install(settings, tmp_path):
    """The operator runs the demo provider; accounts may bring their own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IGNY8_AI_PROVIDER, settings.IGNY8_IMAGE_PROVIDER = "demo", ""
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = None, "sk-operator"
    settings.OPENAI_IMAGE_BASE_URL, settings.OPENAI_IMAGE_API_KEY = None, ""
    settings.OPENAI_MAX_RETRIES = 0
    settings.OUTBOUND_ALLOWED_ADDRESSES = ["127.0.0.1"]  # the local test servers
    return settings


def own(server, key="sk-alice", **extra):
    return {"base_url": server.base_url, "api_key": key, "model": "alice-model", **extra}


def test_defaults_then_own_settings_with_a_write_only_encrypted_key(api):
    body = api.get(URL).json()
    assert body["text"] == {
        "provider": "",
        "base_url": "",
        "model": "",
        "structured_output": "",
        "api_key_set": False,
        "uses": {"provider": "demo", "model": "gpt-4o-mini", "source": "install", "structured_output": "json_schema"},
    }
    assert body["image"]["uses"]["provider"] == "demo" and "structured_output" not in body["image"]

    answer = api.put(URL, {"text": {"base_url": "http://127.0.0.1:9/v1/", "api_key": "sk-alice"}}, format="json")

    assert answer.status_code == 200, answer.content
    text = answer.json()["text"]
    assert text["api_key_set"] is True and "api_key" not in text and "sk-alice" not in answer.content.decode()
    assert text["base_url"] == "http://127.0.0.1:9/v1" and text["uses"]["provider"] == "openai"
    assert text["uses"]["source"] == "account"
    row = AccountAIProvider.objects.get(role="text")
    assert "sk-alice" not in row.api_key_encrypted and decrypt(row.api_key_encrypted) == "sk-alice"
    # Fields left out are kept; "" removes the key.
    api.put(URL, {"text": {"model": "m2"}}, format="json")
    assert api.get(URL).json()["text"]["api_key_set"] is True
    assert api.put(URL, {"text": {"api_key": ""}}, format="json").json()["text"]["api_key_set"] is False

    reset = api.delete(URL)
    assert reset.status_code == 200 and reset.json()["text"]["uses"]["source"] == "install"
    assert not AccountAIProvider.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": {"provider": "none"}}, "provider"),
        ({"image": {"provider": "magic"}}, "provider"),
        ({"image": {"structured_output": "prompt"}}, "structured_output"),
        ({"text": {"structured_output": "xml"}}, "structured_output"),
        ({"text": {"base_url": "ftp://example.com/v1"}}, "base_url"),
        ({"text": {"colour": "red"}}, "colour"),
        ({"audio": {}}, "audio"),
    ],
)
def test_bad_input_is_a_400_with_the_field(api, body, field):
    answer = api.put(URL, body, format="json")
    assert answer.status_code == 400
    errors = answer.json()
    role = next(iter(body))
    assert field in errors or field in errors.get(role, {})


def test_a_loopback_or_metadata_base_url_is_refused_unless_the_operator_allows_it(api, install):
    install.OUTBOUND_ALLOWED_ADDRESSES = []
    for url in ("http://127.0.0.1:11434/v1", "http://169.254.169.254/latest"):
        answer = api.put(URL, {"text": {"base_url": url}}, format="json")
        assert answer.status_code == 400 and "base_url" in answer.json()["text"]
    assert not AccountAIProvider.objects.exists()


def test_an_accounts_key_and_url_serve_that_account_only(api, alice_site, bob, bob_site, server, install):
    assert (
        api.put(URL, {"text": own(server), "image": own(server, key="sk-alice-img")}, format="json").status_code == 200
    )
    alice_task = Tasks.objects.create(site=alice_site, title="Cold brew at home", keywords=["cold brew"])
    bob_task = Tasks.objects.create(site=bob_site, title="Espresso at home", keywords=["espresso"])

    alice_result = AIEngine(alice_site.account, alice_site).run("generate_content", [alice_task.pk])
    bob_result = AIEngine(bob_site.account, bob_site).run("generate_content", [bob_task.pk])

    assert alice_result.items_processed == bob_result.items_processed == 1
    [call] = server.calls(CHAT)  # bob's article was written by the install's demo provider
    assert call.headers["authorization"] == "Bearer sk-alice" and call.body["model"] == "alice-model"
    assert Content.objects.get(task=bob_task).title and len(server.requests) == 1

    # Allowed when saved, refused when used: the policy is checked again before every call.
    install.OUTBOUND_ALLOWED_ADDRESSES = []
    with pytest.raises(ProviderError, match="refused"):
        AIEngine(alice_site.account, alice_site).run(
            "generate_content", [Tasks.objects.create(site=alice_site, title="Iced latte").pk]
        )


def test_an_own_key_without_a_url_goes_to_openai_and_the_operators_key_never_leaves(api, alice_site, server, install):
    install.IGNY8_AI_PROVIDER, install.OPENAI_BASE_URL = "openai", server.base_url
    api.put(URL, {"text": {"base_url": server.base_url}}, format="json")  # own URL, no key
    task = Tasks.objects.create(site=alice_site, title="Cold brew at home", keywords=["cold brew"])

    AIEngine(alice_site.account, alice_site).run("generate_content", [task.pk])

    assert {c.headers["authorization"] for c in server.calls(CHAT)} == {"Bearer not-needed"}
    api.put(URL, {"text": {"base_url": "", "api_key": "sk-alice"}}, format="json")
    from igny8_core.ai.providers import get_provider

    client = get_provider(account=alice_site.account).for_role("text").client
    assert str(client.base_url) == "https://api.openai.com/v1/" and client.api_key == "sk-alice"


def test_provider_test_reports_each_role(api, server):
    api.put(URL, {"text": own(server), "image": own(server, key="sk-img")}, format="json")

    body = api.post(f"{URL}test/").json()

    assert body["text"]["ok"] is True and body["text"]["structured_output"] == "json_schema"
    assert body["text"]["latency_ms"] >= 0 and "alice-model" in body["text"]["detail"]
    assert body["image"]["ok"] is True and "byte image" in body["image"]["detail"]
    assert server.calls(IMAGES)[0].headers["authorization"] == "Bearer sk-img"


def test_provider_test_reports_a_down_server_clearly(api):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api.put(URL, {"text": {"base_url": f"http://127.0.0.1:{port}/v1"}, "image": {"provider": "none"}}, format="json")

    body = api.post(f"{URL}test/").json()

    assert body["text"]["ok"] is False
    assert f"could not connect to 127.0.0.1:{port} (connection refused)" in body["text"]["detail"].lower()
    assert "json_object" not in body["text"]["detail"]  # a down server is not a mode problem
    assert body["image"] == {
        "ok": True,
        "detail": "Images are off (provider 'none'): nothing to test.",
        "latency_ms": 0,
    }


def test_provider_test_detects_and_saves_the_structured_output_mode(api, text_only_server):
    api.put(URL, {"text": {"base_url": text_only_server.base_url}, "image": {"provider": "demo"}}, format="json")

    body = api.post(f"{URL}test/").json()

    assert body["text"]["ok"] is True and body["text"]["structured_output"] == "json_object"
    assert "refused json_schema" in body["text"]["detail"]
    assert api.get(URL).json()["text"]["structured_output"] == "json_object"
    assert [c.body.get("response_format", {}).get("type") for c in text_only_server.calls(CHAT)] == [
        "json_schema",
        "json_object",
    ]


def test_settings_are_per_account(api, bob_api, server):
    api.put(URL, {"text": own(server)}, format="json")
    assert bob_api.get(URL).json()["text"]["api_key_set"] is False
    bob_api.delete(URL)
    assert api.get(URL).json()["text"]["api_key_set"] is True


def test_anonymous_is_refused(client):
    assert client.get(URL).status_code in (401, 403)
    assert client.post(f"{URL}test/").status_code in (401, 403)
