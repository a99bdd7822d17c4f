"""The site brief reaches every prompt, ideas carry an outline the article is written from,
and every draft gets a slug, fitted meta fields and JSON-LD (demo provider, real database)."""

import pytest

from igny8_core.ai import seo
from igny8_core.ai.outline import FAQ_HEADING, clean_outline
from igny8_core.ai.prompts import PROMPTS
from igny8_core.planner.models import ContentIdeas
from igny8_core.writer.models import Content

from .conftest import make_cluster, make_idea, make_task

pytestmark = pytest.mark.django_db


def brief(site):
    site.audience = "busy parents who brew coffee at home"
    site.brand_voice = "Plain words, short sentences, no hype."
    site.avoid_terms = "cheap\nguaranteed results\n"
    site.save()
    return site


def test_every_prompt_carries_the_site_brief(site):
    brief(site)
    for template in PROMPTS.values():
        system = template.messages(site, {"x": 1}, count=2, target_words=900)[0]["content"]
        assert "Readers: busy parents who brew coffee at home." in system
        assert "Brand voice and style guide: Plain words, short sentences, no hype." in system
        assert "Never use these words or claims: cheap; guaranteed results." in system
        assert template.version == "v2"


def test_an_empty_brief_adds_nothing(site):
    system = PROMPTS["article"].messages(site, {"x": 1}, target_words=900)[0]["content"]
    assert "Readers:" not in system and "Never use" not in system


def test_ideas_carry_an_outline_with_sections_and_faq(engine, site):
    cluster = make_cluster(site)
    engine.run("generate_ideas", [cluster.pk])
    ideas = list(ContentIdeas.objects.filter(cluster=cluster))
    assert len(ideas) == 2
    for idea in ideas:
        sections = idea.outline["sections"]
        assert sections and sections[0]["level"] == 2
        assert {s["level"] for s in sections} <= {2, 3}
        assert all(s["heading"] and s["points"] for s in sections)
        assert idea.outline["faq"] and all(q.endswith("?") for q in idea.outline["faq"])


def test_outline_cleaning_drops_empty_parts_and_never_opens_with_a_subsection():
    outline = clean_outline(
        {
            "sections": [
                {"heading": " Sub first ", "level": 3, "points": ["a", " "]},
                {"heading": "", "level": 2, "points": []},
                {"heading": "Detail", "level": 3, "points": []},
            ],
            "faq": ["Why?", ""],
        }
    )
    assert outline == {
        "sections": [
            {"heading": "Sub first", "level": 2, "points": ["a"]},
            {"heading": "Detail", "level": 3, "points": []},
        ],
        "faq": ["Why?"],
    }


def test_content_is_written_from_the_outline_and_follows_the_brief(engine, site):
    brief(site)
    cluster = make_cluster(site)
    idea = make_idea(site, cluster)
    idea.outline = {
        "sections": [
            {"heading": "Choosing Your Beans", "level": 2, "points": ["origin"]},
            {"heading": "Grind Size", "level": 3, "points": ["coarse"]},
            {"heading": "Steeping Time", "level": 2, "points": ["12-24 hours"]},
        ],
        "faq": ["How long does cold brew keep?", "Can I heat cold brew?"],
    }
    idea.save()
    task = make_task(site, idea=idea, cluster=cluster)

    engine.run("generate_content", [task.pk])

    content = Content.objects.get(task=task)
    html = content.html_content
    order = [html.index(h) for h in ("<h2>Choosing Your Beans</h2>", "<h3>Grind Size</h3>", "<h2>Steeping Time</h2>")]
    assert order == sorted(order)
    assert FAQ_HEADING in html and "<h3>How long does cold brew keep?</h3>" in html
    assert "written for busy parents who brew coffee at home" in html
    text = html.lower()
    assert "cheap" not in text and "guaranteed results" not in text


def test_draft_gets_slug_meta_fields_and_json_ld(engine, site):
    cluster = make_cluster(site)
    idea = make_idea(site, cluster)
    idea.outline = {"sections": [{"heading": "Basics", "level": 2, "points": []}], "faq": ["Is cold brew strong?"]}
    idea.save()
    task = make_task(
        site, idea=idea, cluster=cluster, title="The Complete Guide to Cold Brew Coffee Concentrate at Home"
    )

    engine.run("generate_content", [task.pk])

    content = Content.objects.get(task=task)
    assert content.slug == "the-complete-guide-to-cold-brew-coffee-concentrate-at-home"
    assert len(content.meta_title) <= 60
    assert content.meta_title == "The Complete Guide to Cold Brew Coffee Concentrate at Home"  # no site suffix
    assert 120 <= len(content.meta_description) <= 160
    graph = {node["@type"]: node for node in content.schema_json["@graph"]}
    assert content.schema_json["@context"] == "https://schema.org"
    assert graph["Article"]["headline"] == content.title
    assert graph["Article"]["author"]["name"] == site.name
    [question] = graph["FAQPage"]["mainEntity"]
    assert question["@type"] == "Question" and question["name"] == "Is cold brew strong?"
    assert question["acceptedAnswer"]["@type"] == "Answer" and question["acceptedAnswer"]["text"]


def test_without_faq_the_graph_is_an_article_only(engine, site):
    task = make_task(site)  # no idea, so no outline and no questions
    engine.run("generate_content", [task.pk])
    content = Content.objects.get(task=task)
    assert [node["@type"] for node in content.schema_json["@graph"]] == ["Article"]


def test_slugs_are_unique_per_site(engine, site, bob_site):
    first, second = make_task(site, title="Cold Brew"), make_task(site, title="Cold brew!")
    engine.run("generate_content", [first.pk])
    engine.run("generate_content", [second.pk])
    assert [c.slug for c in Content.objects.filter(site=site).order_by("id")] == ["cold-brew", "cold-brew-2"]
    # another site may use the same slug
    Content.objects.create(site=bob_site, title="Cold Brew", slug="cold-brew")


@pytest.mark.parametrize(
    ("proposed", "title", "expected"),
    [
        ("Short title | Demo Site", "Short title", "Short title | Demo Site"),
        (
            "A Very Long Article Title About Cold Brew Coffee Ratios | Demo Lifestyle Blog",
            "A Very Long Article Title About Cold Brew Coffee Ratios",
            "A Very Long Article Title About Cold Brew Coffee Ratios",
        ),
        (
            "The Ultimate Complete Guide to Brewing Cold Brew Coffee Concentrate at Home Safely",
            "x" * 70,
            "The Ultimate Complete Guide to Brewing Cold Brew Coffee",
        ),
    ],
)
def test_meta_title_never_ends_mid_word(proposed, title, expected):
    fitted = seo.meta_title(proposed, title, "Demo Lifestyle Blog")
    assert fitted == expected and len(fitted) <= 60
    assert proposed.startswith(fitted) and proposed[len(fitted) : len(fitted) + 1] in ("", " ")


def test_meta_description_is_completed_or_cut_to_120_160():
    body = "<p>Cold brew is smooth. It keeps for a week in the fridge. Use a coarse grind and filtered water. Steep it for 18 hours.</p>"
    short = seo.meta_description("Cold brew at home.", body)
    assert 120 <= len(short) <= 160 and short.startswith("Cold brew at home. Cold brew is smooth.")
    long = seo.meta_description("word " * 60, body)
    assert len(long) <= 160 and long.endswith("…") and not long.endswith(" …")
