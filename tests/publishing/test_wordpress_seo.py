"""Publishing SEO to a REAL WordPress: slug, excerpt, category from the cluster, tags from the
target keywords (created when missing), the JSON-LD in the post, and internal links that work
(to a sibling already published) or are left out (a sibling not published yet)."""

import json
import re

import requests

from igny8_core.ai import linking, seo
from igny8_core.planner.models import Clusters
from igny8_core.publishing.publisher import publish_due
from igny8_core.writer.models import Content, Tasks

from .conftest import make_content

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def seo_content(site, cluster, title, keywords, body, **fields):
    task = Tasks.objects.create(site=site, title=title, keywords=keywords, cluster=cluster)
    description = (
        f"Everything about {keywords[0]}: how it works, what it costs and the mistakes to avoid, explained simply."
    )
    schema = seo.schema_graph(
        title=title,
        description=description,
        site_name=site.name,
        site_url=f"https://{site.domain}/",
        language="English",
        keywords=keywords,
        faq=[{"question": f"What is {keywords[0]}?", "answer": "A short answer."}],
    )
    return make_content(
        site,
        title=title,
        in_article=0,
        task=task,
        cluster=cluster,
        slug=seo.base_slug(title),
        html_content=body,
        meta_description=description,
        schema_json=schema,
        **fields,
    )


def test_publishes_slug_taxonomy_json_ld_and_working_internal_links(wordpress, wp_connection, alice_site):
    cluster = Clusters.objects.create(site=alice_site, name="Cold Brew Coffee")
    sibling = seo_content(
        alice_site, cluster, "Cold Brew Ratio Explained", ["cold brew ratio"], "<h2>Ratio</h2><p>One to eight.</p>"
    )
    assert publish_due()["published"] == 1
    sibling.refresh_from_db()
    later = seo_content(
        alice_site,
        cluster,
        "Steeping Times",
        ["steeping time"],
        "<h2>Time</h2><p>A day.</p>",
        status=Content.Status.REVIEW,
        site_status=Content.SiteStatus.NOT_PUBLISHED,
        scheduled_publish_at=None,
    )
    body = (
        "<p>Cold brew is simple once the cold brew ratio is right.</p><h2>Method</h2><p>Grind coarse.</p>"
        "<h2>Serving</h2><p>Pour over ice.</p>"
    )
    article = seo_content(alice_site, cluster, "Cold Brew at Home", ["cold brew at home", "Iced Coffee"], body)
    linking.relink_site(alice_site, [article.pk])
    article.refresh_from_db()
    assert {link["content_id"] for link in article.internal_links} == {sibling.pk, later.pk}

    assert publish_due()["published"] == 1

    article.refresh_from_db()
    post = wordpress.rest(f"/wp/v2/posts/{article.external_id}", context="edit")
    assert post["slug"] == "cold-brew-at-home"
    assert post["excerpt"]["raw"] == article.meta_description
    [category] = [wordpress.rest(f"/wp/v2/categories/{c}") for c in post["categories"]]
    assert category["name"] == "Cold Brew Coffee"
    tags = {wordpress.rest(f"/wp/v2/tags/{t}")["name"] for t in post["tags"]}
    assert tags == {"cold brew at home", "Iced Coffee"}
    sibling_post = wordpress.rest(f"/wp/v2/posts/{sibling.external_id}", context="edit")
    assert sibling_post["categories"] == post["categories"]  # the cluster's category is reused, not duplicated

    raw = post["content"]["raw"]
    graph = json.loads(JSON_LD.search(raw).group(1))
    types = [node["@type"] for node in graph["@graph"]]
    assert graph["@context"] == "https://schema.org" and types == ["Article", "FAQPage"]
    assert graph["@graph"][0]["headline"] == "Cold Brew at Home" and graph["@graph"][0]["datePublished"]
    assert graph["@graph"][1]["mainEntity"][0]["acceptedAnswer"]["text"] == "A short answer."

    # the link to the published sibling points at its WordPress URL and works; the link to the
    # unpublished sibling is left out
    links = re.findall(r'<a class="igny8-link-(\d+)" href="([^"]+)">', raw)
    assert links == [(str(sibling.pk), sibling.external_url)]
    assert f"igny8-link-{later.pk}" not in raw and "Steeping Times" not in raw
    page = requests.get(article.external_url, timeout=30)
    assert page.status_code == 200 and "application/ld+json" in page.text
    target = requests.get(links[0][1], timeout=30)
    assert target.status_code == 200 and "Cold Brew Ratio Explained" in target.text
