"""The offline demo provider: real grouping, real articles, real images, deterministic."""

import io

import pytest
from PIL import Image

from igny8_core.ai.html import section_headings, word_count
from igny8_core.ai.prompts import ARTICLE, CONTENT_IDEAS, IMAGE_PROMPTS, KEYWORD_CLUSTERS, schemas
from igny8_core.ai.providers.demo import DemoProvider
from igny8_core.ai.providers.demo_text import cluster_keywords, significant
from igny8_core.ai.schema import validate


class FakeSite:
    name, domain, topic, language, tone = "Bean There", "beanthere.example", "coffee", "English", "warm"


def ask(prompt, payload, **variables):
    return DemoProvider().complete_json(
        prompt.messages(FakeSite(), payload, **variables), prompt.schema, schema_name=prompt.name
    )


def test_significant_words_drop_stopwords_and_fold_plurals():
    assert [root for root, _ in significant("Best Tomatoes for the Garden beds")] == ["tomato", "garden", "bed"]
    assert [root for root, _ in significant("how to start composting")] == ["start", "compost"]


def test_clusters_group_by_shared_words():
    words = [
        "raised garden bed soil",
        "raised garden bed kit",
        "how to build a raised garden bed",
        "compost bin for beginners",
        "what not to compost",
        "roth ira vs 401k",
        "roth ira for beginners",
        "quantum physics",
    ]
    keywords = [{"id": n, "keyword": w} for n, w in enumerate(words, 1)]
    groups = {c["name"]: c["keyword_ids"] for c in cluster_keywords(keywords)}
    assert groups == {"Garden Bed": [1, 2, 3], "Compost": [4, 5], "Roth Ira": [6, 7], "Quantum Physics": [8]}


def test_existing_cluster_names_are_reused_across_batches():
    keywords = [
        {"id": 1, "keyword": "best fertilizer for tomatoes"},
        {"id": 2, "keyword": "growing tomatoes in containers"},
        {"id": 3, "keyword": "latte art"},
    ]
    groups = {c["name"]: c["keyword_ids"] for c in cluster_keywords(keywords, ["Tomato Plant", "Coffee"])}
    assert groups == {"Tomato Plant": [1, 2], "Latte Art": [3]}


def test_answers_match_their_schemas_and_are_deterministic():
    payload = {"keywords": [{"id": 1, "keyword": "cold brew recipe"}, {"id": 2, "keyword": "cold brew ratio"}]}
    first = ask(KEYWORD_CLUSTERS, payload)
    second = ask(KEYWORD_CLUSTERS, payload)
    assert (
        first.data
        == second.data
        == {
            "clusters": [
                {
                    "name": "Cold Brew",
                    "keyword_ids": [1, 2],
                    "description": "[Demo] 2 keyword(s) about cold brew: cold brew recipe, cold brew ratio.",
                }
            ]
        }
    )
    assert first.model == "igny8-demo-text-v1" and first.prompt_tokens > 0 and first.completion_tokens > 0

    ideas = ask(
        CONTENT_IDEAS,
        {"cluster": {"name": "Cold Brew", "description": "", "keywords": ["a", "b", "c"]}, "count": 3},
        count=3,
    ).data["ideas"]
    validate({"ideas": ideas}, schemas.CONTENT_IDEAS)
    assert len(ideas) == 3 and len({i["content_structure"] for i in ideas}) == 3
    assert sorted(k for i in ideas for k in i["target_keywords"]) == ["a", "b", "c"]


def test_article_is_multi_section_html_of_the_requested_length():
    payload = {
        "title": "Cold Brew at Home",
        "keywords": ["cold brew recipe", "cold brew ratio"],
        "content_structure": "how_to",
        "target_words": 900,
        "site": {"name": "Bean There", "topic": "coffee"},
    }
    article = ask(ARTICLE, payload, target_words=900).data
    html = article["html_content"]
    assert html.count("<h2>") >= 3 and "<h3>" in html and "<ol>" in html
    assert "Demo text" in html
    assert section_headings(html)[0].startswith("Cold Brew Recipe")
    assert 900 <= word_count(html) < 1200
    assert len(article["meta_title"]) <= 60 and len(article["meta_description"]) <= 155
    assert ask(ARTICLE, payload, target_words=900).data == article


def test_image_prompts_follow_the_sections():
    data = ask(IMAGE_PROMPTS, {"title": "Cold Brew", "sections": ["Beans", "Ratio"], "count": 3}, count=3).data
    assert "Cold Brew" in data["featured"]["prompt"]
    assert ["Beans" in p["prompt"] for p in data["in_article"]] == [True, False, True]


def test_images_are_real_pngs_with_a_gradient(settings):
    settings.OPENAI_IMAGE_OUTPUT_FORMAT = "none"  # what GPT image models answer when not asked
    provider = DemoProvider()
    image = provider.generate_image("a cup of coffee", "400x300", title="Cold Brew")
    assert image.data.startswith(b"\x89PNG") and image.source == "demo"
    with Image.open(io.BytesIO(image.data)) as png:
        assert png.format == "PNG" and png.size == (400, 300)
        rgb = png.convert("RGB")
        assert rgb.getpixel((0, 0)) != rgb.getpixel((399, 299))  # a gradient, not a flat fill
    assert provider.generate_image("a cup of coffee", "400x300", title="Cold Brew").data == image.data
    assert provider.generate_image("another prompt", "400x300").data != image.data
    assert provider.image_variant == "1200x675:standard"


@pytest.mark.parametrize("stored, expected", [("JPEG", "JPEG"), ("WEBP", "WEBP"), ("PNG", "PNG")])
def test_images_come_in_the_stored_format_as_gpt_image_models_are_asked(settings, stored, expected):
    settings.OPENAI_IMAGE_OUTPUT_FORMAT, settings.IGNY8_IMAGE_FORMAT = "auto", stored
    image = DemoProvider().generate_image("a cup of coffee", "400x300", title="Cold Brew")
    with Image.open(io.BytesIO(image.data)) as answer:
        assert (answer.format, answer.size) == (expected, (400, 300))
