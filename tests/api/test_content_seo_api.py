"""The API side of the site brief, outlines, SEO metadata, internal links and quality."""

import pytest

from . import factories as f
from .test_resources import results

pytestmark = pytest.mark.django_db


def test_site_brief_is_editable_with_field_errors(api, alice_site):
    response = api.patch(
        f"/api/v1/sites/{alice_site.pk}/",
        {
            "audience": "Home baristas",
            "brand_voice": "Warm, precise.",
            "avoid_terms": "cheap\nmiracle",
            "duplicate_threshold": 90,
        },
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["audience"], body["brand_voice"], body["avoid_terms"], body["duplicate_threshold"]) == (
        "Home baristas",
        "Warm, precise.",
        "cheap\nmiracle",
        90,
    )
    bad = api.patch(f"/api/v1/sites/{alice_site.pk}/", {"duplicate_threshold": 101}, format="json")
    assert bad.status_code == 400 and "duplicate_threshold" in bad.json()
    created = api.post("/api/v1/sites/", {"name": "New", "domain": "new.example.com"}, format="json").json()
    assert created["duplicate_threshold"] == 85 and created["avoid_terms"] == ""


def test_ideas_list_their_outline(api, alice_site):
    outline = {"sections": [{"heading": "Basics", "level": 2, "points": ["a"]}], "faq": ["Why?"]}
    idea = f.idea(alice_site, outline=outline)
    [listed] = results(api.get("/api/v1/planner/ideas/"))
    assert listed["id"] == idea.pk and listed["outline"] == outline


def test_content_returns_slug_meta_schema_links_and_quality(api, alice_site, bob_site):
    quality = {"score": 82, "checks": [{"name": "readability", "passed": False, "detail": "Flesch 30"}]}
    links = [{"content_id": 7, "anchor": "cold brew", "url": "/cold-brew/"}]
    schema = {"@context": "https://schema.org", "@graph": [{"@type": "Article", "headline": "x"}]}
    content = f.content(alice_site, slug="cold-brew-guide", quality=quality, internal_links=links, schema_json=schema)
    unscored = f.content(alice_site)
    f.content(bob_site, slug="bobs")

    listed = {c["id"]: c for c in results(api.get("/api/v1/writer/content/"))}
    assert set(listed) == {content.pk, unscored.pk}
    item = listed[content.pk]
    assert item["slug"] == "cold-brew-guide" and item["quality"] == quality and item["internal_links"] == links
    assert listed[unscored.pk]["quality"] is None and listed[unscored.pk]["internal_links"] == []
    assert "schema_json" not in item
    detail = api.get(f"/api/v1/writer/content/{content.pk}/").json()
    assert detail["schema_json"] == schema
