"""How one site's pipeline multiplies its work: the ratios the run estimate and the run plan
project downstream items with, learned from the site's own history, with safe defaults.

- New clusters from the pending keywords: the free local clusterer groups (a sample of) the
  pending keywords against the site's existing clusters, so a list of one topic projects few
  clusters and a list of many topics projects many (no fixed keywords-per-cluster ratio fits
  both: the demo provider makes 2 clusters of 8 coffee keywords and 8 of 8 keywords on 8
  topics). The provider groups differently; `cluster_factor` (its clusters per projected
  cluster) is learned from the site's finished runs, CLUSTER_FACTOR until there are enough.
- Ideas per cluster: the site's ideas over the clusters that have ideas (the duplicate guard
  and the model can make fewer than asked), else the configured count.
- Words per article: the site's recent articles' word counts, else the target length plus a
  margin (models overshoot it). Priced per article, as the engine charges each on its own.
- Images per article: the site's recent articles' image rows, at most 1 + in_article_images,
  else 1 + in_article_images.

Each ratio says where it came from ("site": learned, "default", or "local": the site clusters
locally), shown with the estimate.
"""

import hashlib
import json
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet

from igny8_core.accounts.models import Site
from igny8_core.ai import clustering
from igny8_core.ai.functions.auto_cluster import existing_members, uses_local_clustering
from igny8_core.billing.services import CreditService
from igny8_core.degraded import REDIS_ERRORS
from igny8_core.planner.models import ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images

from .models import AutomationRun, RunStatus

CLUSTER_FACTOR = Decimal("1.2")  # the demo provider splits ~1.2-1.3x finer than the local grouping
WORDS_MARGIN = Decimal("1.25")  # articles run past the target length
CLUSTER_SAMPLE = 60  # pending keywords grouped locally (cubic cost); the rest scale linearly
EXISTING_MEMBERS = 10  # keywords per existing cluster compared with
PROJECTION_CACHE_SECONDS = 600
HISTORY_RUNS = 10  # recent finished runs the cluster factor is learned from
MIN_PROJECTED = 5  # projected clusters those runs need in total before their factor is trusted
MIN_CLUSTERS = 3  # clusters with ideas before the site's ideas-per-cluster is trusted
MIN_ARTICLES = 3  # articles before the site's words and images per article are trusted
RECENT_ARTICLES = 50


@dataclass(frozen=True)
class Ratio:
    value: Decimal
    source: str  # "site" (learned from its history) or "default"

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "source": self.source}


@dataclass(frozen=True)
class SiteRatios:
    projected_clusters: int  # new clusters the local grouping makes of the pending keywords
    cluster_factor: Ratio
    ideas_per_cluster: Ratio
    words_per_article: Ratio
    images_per_article: Ratio
    recent_words: tuple[int, ...] = ()  # the learned articles' word counts (each priced on its own)

    def article_price(self, operation: str, variant: str | None) -> Decimal:
        """Expected credits of one article: the mean price of the site's recent articles (a
        mean length would miss the whole blocks each is rounded up to), else the default's."""
        if not self.recent_words:
            return CreditService.cost_for(operation, int(self.words_per_article.value), variant)
        total = sum((CreditService.cost_for(operation, words, variant) for words in self.recent_words), Decimal("0"))
        return _two(total / len(self.recent_words))

    def clusters_for(self, keywords: int, pending_keywords: int) -> int:
        """New clusters expected from `keywords` of the `pending_keywords` (a per-run limit
        may take fewer than are pending)."""
        if not keywords or not pending_keywords or not self.projected_clusters:
            return 0
        share = Decimal(keywords) / Decimal(pending_keywords)
        expected = Decimal(self.projected_clusters) * share * self.cluster_factor.value
        return max(1, int(expected.quantize(Decimal(1), rounding=ROUND_HALF_UP)))

    def ideas_for(self, clusters: int) -> int:
        return math.ceil(clusters * self.ideas_per_cluster.value - Decimal("0.001"))

    def images_for(self, articles: int) -> int:
        return math.ceil(articles * self.images_per_article.value - Decimal("0.001"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "projected_clusters": self.projected_clusters,
            "cluster_factor": self.cluster_factor.as_dict(),
            "ideas_per_cluster": self.ideas_per_cluster.as_dict(),
            "words_per_article": self.words_per_article.as_dict(),
            "images_per_article": self.images_per_article.as_dict(),
        }


def _two(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def project_clusters(site: Site, pending_keywords: "QuerySet[Keywords]") -> int:
    """New clusters the local grouping makes of the pending keywords (a sample of the first
    CLUSTER_SAMPLE, scaled), given the site's existing clusters. The grouping is cached by
    its inputs: the dashboard polls the estimate during a run."""
    total = pending_keywords.count()
    if not total:
        return 0
    sample: list[dict[str, Any]] = [
        dict(row) for row in pending_keywords.order_by("pk").values("id", "keyword")[:CLUSTER_SAMPLE]
    ]
    existing = existing_members(site, [k["keyword"] for k in sample], EXISTING_MEMBERS)
    inputs = json.dumps([[k["keyword"] for k in sample], sorted(existing.items())])
    key = f"estimate_projection:{hashlib.sha256(inputs.encode()).hexdigest()}"
    try:
        new = cache.get(key)
    except REDIS_ERRORS:  # Redis down: group them here, never fail an estimate for a cache
        new = None
    if new is None:
        groups = clustering.cluster_keywords(sample, existing)
        new = sum(1 for group in groups if group["name"] not in existing)
        try:
            cache.set(key, new, PROJECTION_CACHE_SECONDS)
        except REDIS_ERRORS:
            pass
    return math.ceil(int(new) * total / len(sample)) if new else 0


def learned_cluster_factor(site: Site) -> Ratio:
    """The provider's clusters per locally projected cluster over the site's recent finished
    runs (runs store their projection in the initial snapshot)."""
    created = projected = 0
    runs = (
        AutomationRun.objects.filter(site=site, status__in=[RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED])
        .order_by("-started_at")
        .values_list("initial_snapshot", "stage_1_result")[:HISTORY_RUNS]
    )
    for snapshot, result in runs:
        run_projected = int((snapshot or {}).get("projected_clusters", 0) or 0)
        result = result or {}
        # Only a clustering stage that handled every projected keyword compares like with like.
        if not run_projected or result.get("status") != "completed":
            continue
        if int(result.get("keywords_processed", 0) or 0) < int((snapshot or {}).get("stage_1_initial", 0) or 0):
            continue
        projected += run_projected
        created += int(result.get("clusters_created", 0) or 0)
    if projected >= MIN_PROJECTED:
        return Ratio(_two(Decimal(created) / Decimal(projected)), "site")
    return Ratio(CLUSTER_FACTOR, "default")


def learned_ideas_per_cluster(site: Site) -> Ratio:
    row = ContentIdeas.objects.filter(site=site, cluster__isnull=False).aggregate(
        ideas=Count("pk"), clusters=Count("cluster", distinct=True)
    )
    if row["clusters"] >= MIN_CLUSTERS:
        return Ratio(_two(Decimal(row["ideas"]) / Decimal(row["clusters"])), "site")
    return Ratio(Decimal(max(1, settings.IGNY8_AI_IDEAS_PER_CLUSTER)), "default")


def recent_words(site: Site) -> tuple[int, ...]:
    words = tuple(
        Content.objects.filter(site=site, word_count__gt=0)
        .order_by("-pk")
        .values_list("word_count", flat=True)[:RECENT_ARTICLES]
    )
    return words if len(words) >= MIN_ARTICLES else ()


def words_per_article(words: tuple[int, ...]) -> Ratio:
    if words:
        return Ratio(Decimal(math.ceil(sum(words) / len(words))), "site")
    return Ratio(Decimal(math.ceil(settings.IGNY8_AI_CONTENT_WORDS * WORDS_MARGIN)), "default")


def learned_images_per_article(site: Site) -> Ratio:
    most = Decimal(1 + site.in_article_images)
    recent = Content.objects.filter(site=site, images__isnull=False).distinct().order_by("-pk")[:RECENT_ARTICLES]
    counts = list(
        Images.objects.filter(content__in=list(recent.values_list("pk", flat=True)))
        .values("content")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    if len(counts) >= MIN_ARTICLES:
        return Ratio(min(most, _two(Decimal(sum(counts)) / Decimal(len(counts)))), "site")
    return Ratio(most, "default")


def site_ratios(site: Site, pending_keywords: "QuerySet[Keywords]") -> SiteRatios:
    # With local clustering the run groups exactly as the projection does.
    factor = Ratio(Decimal("1.00"), "local") if uses_local_clustering(site) else learned_cluster_factor(site)
    words = recent_words(site)
    return SiteRatios(
        projected_clusters=project_clusters(site, pending_keywords),
        cluster_factor=factor,
        ideas_per_cluster=learned_ideas_per_cluster(site),
        words_per_article=words_per_article(words),
        images_per_article=learned_images_per_article(site),
        recent_words=words,
    )
