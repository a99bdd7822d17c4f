"""The run estimate projects with the site's own ratios once it has a history, with safe
defaults for a new site, and a real run's credits land within 20% of it."""

import math
from decimal import Decimal

import pytest
from django.db.models import Count

from igny8_core.accounts.demo_data import DEMO_KEYWORDS
from igny8_core.automation.ratios import CLUSTER_FACTOR, WORDS_MARGIN, site_ratios
from igny8_core.automation.service import AutomationService
from igny8_core.automation.stages import STAGES
from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images

from .helpers import add_keywords, demo_engine, fast_config, start_and_execute

pytestmark = pytest.mark.django_db


def ratios(site):
    return site_ratios(site, STAGES[0].pending(site))


def items(site) -> dict[int, int]:
    return {row["stage"]: row["items"] for row in AutomationService.estimate_credits(site)["breakdown"]}


def test_a_new_site_gets_the_defaults(small_site, settings):
    settings.IGNY8_AI_IDEAS_PER_CLUSTER = 2
    settings.IGNY8_AI_CONTENT_WORDS = 1200
    add_keywords(small_site, 8)
    learned = ratios(small_site)
    assert learned.cluster_factor.value == CLUSTER_FACTOR and learned.cluster_factor.source == "default"
    assert (learned.ideas_per_cluster.value, learned.ideas_per_cluster.source) == (2, "default")
    assert learned.words_per_article.value == math.ceil(1200 * WORDS_MARGIN) == 1500
    assert learned.images_per_article.value == 1 + small_site.in_article_images == 2
    estimate = AutomationService.estimate_credits(small_site)
    assert estimate["ratios"]["words_per_article"] == {"value": Decimal(1500), "source": "default"}
    [content] = [row for row in estimate["breakdown"] if row["stage"] == 4]
    assert content["credits"] == Decimal("3.00") * content["items"]  # 1500 words in blocks of 500


def test_clusters_are_projected_from_the_keywords_themselves(small_site, bob_site):
    # 8 keywords of one topic make few clusters; 8 keywords of 8 topics make many.
    add_keywords(small_site, 8)
    Keywords.objects.bulk_create(
        Keywords(account_id=bob_site.account_id, site=bob_site, keyword=kw, volume=vol)
        for kw, vol, _, _ in DEMO_KEYWORDS[::8][:8]
    )
    one_topic, many_topics = ratios(small_site), ratios(bob_site)
    assert 1 <= one_topic.projected_clusters <= 3
    assert many_topics.projected_clusters >= 6
    assert items(bob_site)[2] > items(small_site)[2] * 2


def test_keywords_that_join_existing_clusters_project_no_new_cluster(small_site):
    add_keywords(small_site, 8)
    fast_config(small_site)
    start_and_execute(small_site, demo_engine(small_site))
    Keywords.objects.bulk_create(
        Keywords(account_id=small_site.account_id, site=small_site, keyword=f"{kw} guide", volume=vol)
        for kw, vol, _, _ in DEMO_KEYWORDS[:8]
    )
    assert ratios(small_site).projected_clusters == 0
    assert items(small_site)[2] == 0


def test_a_site_with_history_gets_its_own_ratios(small_site, settings):
    settings.IGNY8_AI_IDEAS_PER_CLUSTER = 2
    add_keywords(small_site, 20)
    fast_config(small_site)
    run = start_and_execute(small_site, demo_engine(small_site))
    assert run.status == "completed", run.error_message

    learned = ratios(small_site)
    clusters = Clusters.objects.filter(site=small_site).count()
    expected_factor = (Decimal(clusters) / Decimal(run.initial_snapshot["projected_clusters"])).quantize(
        Decimal("0.01")
    )
    assert (learned.cluster_factor.value, learned.cluster_factor.source) == (expected_factor, "site")
    with_ideas = ContentIdeas.objects.filter(site=small_site).values("cluster").distinct().count()
    ideas = ContentIdeas.objects.filter(site=small_site).count()
    assert learned.ideas_per_cluster.source == "site"
    assert learned.ideas_per_cluster.value == (Decimal(ideas) / with_ideas).quantize(Decimal("0.01"))
    words = list(Content.objects.filter(site=small_site).values_list("word_count", flat=True))
    assert learned.words_per_article.source == "site"
    assert learned.words_per_article.value == math.ceil(sum(words) / len(words))
    assert learned.words_per_article.value != 1500  # not the default
    per_content = Images.objects.filter(site=small_site).values("content").annotate(n=Count("pk"))
    images = [row["n"] for row in per_content]
    assert learned.images_per_article.source == "site"
    assert learned.images_per_article.value == (Decimal(sum(images)) / len(images)).quantize(Decimal("0.01"))

    # An article is priced at the mean of the site's articles' own prices.
    estimate = AutomationService.estimate_credits(small_site)
    assert estimate["ratios"]["ideas_per_cluster"]["source"] == "site"


# One topic (the demo set's first keywords) and many topics (every 8th, every 3rd keyword).
IMPORTS = {
    "8 of one topic": DEMO_KEYWORDS[:8],
    "20 of few topics": DEMO_KEYWORDS[:20],
    "8 of 8 topics": DEMO_KEYWORDS[::8][:8],
    "19 of many topics": DEMO_KEYWORDS[::3][:19],
}


@pytest.mark.parametrize("name", IMPORTS)
def test_a_fresh_import_costs_within_20_percent_of_its_estimate(small_site, name):
    Keywords.objects.bulk_create(
        Keywords(account_id=small_site.account_id, site=small_site, keyword=kw, volume=vol)
        for kw, vol, _, _ in IMPORTS[name]
    )
    fast_config(small_site)
    estimated = AutomationService.estimate_credits(small_site)["estimated_credits"]
    run = start_and_execute(small_site, demo_engine(small_site))
    assert run.status == "completed", run.error_message
    assert estimated * Decimal("0.8") <= run.total_credits_used <= estimated * Decimal("1.2"), (
        estimated,
        run.total_credits_used,
    )


def test_the_grouping_is_cached_by_its_inputs(small_site, monkeypatch):
    from igny8_core.ai import clustering
    from igny8_core.automation import lock as site_lock

    client = site_lock.client()  # this test's Redis database: forget earlier sessions' groupings
    for key in client.scan_iter(match="*estimate_projection:*", count=500):
        client.delete(key)
    calls = []
    real = clustering.cluster_keywords
    monkeypatch.setattr(clustering, "cluster_keywords", lambda *args: calls.append(1) or real(*args))
    add_keywords(small_site, 8)
    first = ratios(small_site).projected_clusters
    assert ratios(small_site).projected_clusters == first and len(calls) == 1  # polled: not grouped again
    Keywords.objects.create(account_id=small_site.account_id, site=small_site, keyword="sourdough starter")
    assert ratios(small_site).projected_clusters == first + 1 and len(calls) == 2  # new input: grouped afresh
