"""Text and image roles: each with its own provider, endpoint, key and model, through the
real `openai` SDK against two local servers (a chat-only one and an image-only one)."""

import pytest

from igny8_core.ai.engine import AIEngine
from igny8_core.ai.exceptions import ProviderError
from igny8_core.ai.models import AIRequestLog
from igny8_core.ai.providers import configured_image_variant, get_provider, images_enabled
from igny8_core.writer.models import Content, Images

from .conftest import make_content, make_images, make_task
from .fake_openai import CHAT, IMAGES, serving


@pytest.fixture
def text_server():
    with serving(serves=("chat",)) as server:
        yield server


@pytest.fixture
def image_server():
    with serving(serves=("images",)) as server:
        yield server


@pytest.fixture
def split(settings, text_server, image_server):
    """Text on the chat-only server, images on the image-only server, each with its own key."""
    settings.IGNY8_AI_PROVIDER = "openai"
    settings.IGNY8_IMAGE_PROVIDER = ""
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = text_server.base_url, "sk-text"
    settings.OPENAI_IMAGE_BASE_URL, settings.OPENAI_IMAGE_API_KEY = image_server.base_url, "sk-image"
    settings.OPENAI_TEXT_MODEL, settings.OPENAI_IMAGE_MODEL = "llama3.1", "dall-e-3"
    settings.OPENAI_IMAGE_SIZE, settings.OPENAI_IMAGE_QUALITY = "1024x1024", "standard"
    settings.OPENAI_MAX_RETRIES, settings.OPENAI_TIMEOUT = 0, 5
    return settings


def keys(server, path):
    return {call.headers["authorization"] for call in server.calls(path)}


@pytest.mark.django_db
def test_text_and_images_go_to_their_own_servers_with_their_own_keys(split, text_server, image_server, account, site):
    engine = AIEngine(account, site)
    task = make_task(site)

    engine.run("generate_content", [task.pk])
    content = Content.objects.get(task=task)
    engine.run("generate_image_prompts", [content.pk])
    result = engine.run("generate_images", list(Images.objects.filter(content=content).values_list("pk", flat=True)))

    assert result.items_processed == 3 and result.items_failed == 0
    assert len(text_server.calls(CHAT)) == 2 and text_server.calls(IMAGES) == []
    assert len(image_server.calls(IMAGES)) == 3 and image_server.calls(CHAT) == []
    assert keys(text_server, CHAT) == {"Bearer sk-text"} and keys(image_server, IMAGES) == {"Bearer sk-image"}
    assert {c.body["model"] for c in image_server.calls(IMAGES)} == {"dall-e-3"}
    content.refresh_from_db()
    assert content.status == "review"
    rows = set(AIRequestLog.objects.values_list("function", "provider", "model"))
    assert rows == {
        ("generate_content", "openai", "llama3.1"),
        ("generate_image_prompts", "openai", "llama3.1"),
        ("generate_images", "openai", "dall-e-3"),
    }


@pytest.mark.django_db
def test_the_image_role_defaults_to_the_text_endpoint_and_key(split, text_server, account, site):
    split.OPENAI_IMAGE_BASE_URL, split.OPENAI_IMAGE_API_KEY = None, ""
    text_server.serves.add("images")
    [image] = make_images(make_content(site), 1)

    result = AIEngine(account, site).run("generate_images", [image.pk])

    assert result.items_processed == 1
    assert keys(text_server, IMAGES) == {"Bearer sk-text"}


@pytest.mark.django_db
def test_images_on_the_demo_provider_while_text_uses_openai(split, text_server, account, site):
    split.IGNY8_IMAGE_PROVIDER = "demo"
    [image] = make_images(make_content(site), 1)

    result = AIEngine(account, site).run("generate_images", [image.pk])

    assert result.items_processed == 1 and text_server.requests == []
    assert AIRequestLog.objects.get().provider == "demo"


@pytest.mark.django_db
def test_image_role_none_makes_no_image_and_says_why(split, image_server, account, site):
    split.IGNY8_IMAGE_PROVIDER = "none"
    [image] = make_images(make_content(site), 1)

    assert images_enabled() is False and configured_image_variant() is None
    with pytest.raises(ProviderError, match="Images are off"):
        AIEngine(account, site).run("generate_images", [image.pk])

    image.refresh_from_db()
    assert image.status == "pending" and image_server.requests == []


def test_an_openai_image_role_without_key_or_url_names_the_image_variables(split):
    split.OPENAI_IMAGE_BASE_URL, split.OPENAI_IMAGE_API_KEY = None, ""
    split.OPENAI_BASE_URL, split.OPENAI_API_KEY = None, ""
    with pytest.raises(ProviderError, match="OPENAI_IMAGE_API_KEY"):
        get_provider().generate_image("a cup")
