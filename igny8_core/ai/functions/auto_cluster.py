"""auto_cluster: up to 20 `new` keywords -> topical Clusters (one provider call per batch).

Cluster names are deduplicated against the site's clusters case-insensitively: a proposed
name that exists reuses that cluster. Keywords the model leaves out stay `new` (reported as
failed, picked up by a later run). Cost: CreditCostConfig "clustering" per keyword mapped.
With the site's AutomationConfig.clustering_method "local", clustering.py groups the keywords
instead: no provider call and nothing charged.
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Lower

from igny8_core.planner.models import Clusters, Keywords

from .. import clustering
from ..exceptions import InvalidOutput
from ..prompts import KEYWORD_CLUSTERS
from .base import AIFunction, Generation, Saved, idempotency_key

MAX_EXISTING_NAMES = 100  # existing cluster names shown to the model
MAX_LOCAL_MEMBERS = 50  # keywords per existing cluster the local method compares with


def uses_local_clustering(site) -> bool:
    """AutomationConfig.clustering_method of the site ("ai" when it has no config yet)."""
    from igny8_core.automation.models import AutomationConfig, ClusteringMethod

    method = AutomationConfig.objects.filter(site=site).values_list("clustering_method", flat=True).first()
    return method == ClusteringMethod.LOCAL


def _word_starts(keywords: list[str]) -> str | None:
    """A pattern matching a word that starts like a topic word of `keywords` (None: they have
    none). Word starts, not substrings: the stem "ratio" finds "Ratios", not "Restoration".
    It reads alike to PostgreSQL and to Python's re (SQLite's REGEXP)."""
    words = sorted({word for keyword in keywords for word in clustering.topic_terms(keyword) if len(word) > 2})
    return rf"(^|[^a-z0-9])({'|'.join(re.escape(word) for word in words)})" if words else None


def existing_names(site, keywords: list[str]) -> list[str]:
    """The site's cluster names the prompt shows, at most MAX_EXISTING_NAMES (one query): those
    with a word starting like a topic word of the batch's keywords first, newest first (this
    run's earlier batches' among them), then the largest others. By size alone, a site of more
    than 100 clusters hid the clusters this run's earlier batches had just made, and the model
    made near-duplicates of them ("Tomatoes" beside "Tomato Plant")."""
    clusters = Clusters.objects.filter(site=site)
    starts = _word_starts(keywords)
    if starts is None:
        return list(clusters.order_by("-keywords_count", "name").values_list("name", flat=True)[:MAX_EXISTING_NAMES])
    related_newest = Case(When(name__iregex=starts, then=F("id")), default=Value(0))  # unrelated: 0, last
    ranked = clusters.annotate(rank=related_newest).order_by("-rank", "-keywords_count", "name")
    return list(ranked.values_list("name", flat=True)[:MAX_EXISTING_NAMES])


def existing_members(
    site, keywords: list[str], per_cluster: int, excluding: Iterable[int] = ()
) -> dict[str, list[str]]:
    """{name: up to `per_cluster` of its keywords, newest first} of the clusters existing_names()
    picks for `keywords` (those of their topic first, then the largest; a site of up to 100
    clusters is compared whole): what the local grouping compares them with. Every cluster of
    the site was compared before: 4.4 s per batch of 20 on a site of 100k keywords."""
    rows = (
        Keywords.objects.filter(cluster__site=site, cluster__name__in=existing_names(site, keywords))
        .exclude(pk__in=list(excluding))
        .order_by("cluster_id", "-id")
        .values_list("cluster__name", "keyword")
    )
    existing: dict[str, list[str]] = {}
    for name, keyword in rows:
        members = existing.setdefault(name, [])
        if len(members) < per_cluster:
            members.append(keyword)
    return existing


def _clusters_locally(ctx) -> bool:
    """The site's clustering method as this engine first read it (one read per engine, not
    three per batch: a batch asked of the model is charged as one, whatever changed since)."""
    if "local_clustering" not in ctx.settings:
        ctx.settings["local_clustering"] = uses_local_clustering(ctx.site)
    return bool(ctx.settings["local_clustering"])


class AutoCluster(AIFunction):
    name = "auto_cluster"
    operation = "clustering"
    max_batch = 20
    model = Keywords
    item_label = "keyword"
    prompt = KEYWORD_CLUSTERS
    per_item = False
    builds_on_earlier_batches = True  # the prompt lists the site's clusters
    nouns = ("keywords", "clusters")
    stats = (
        ("keywords_processed", "Keywords processed"),
        ("clusters_created", "Clusters created"),
        ("keywords_mapped", "Keywords mapped"),
    )

    def pending(self, site):
        return Keywords.objects.filter(site=site, status=Keywords.Status.NEW, cluster__isnull=True, disabled=False)

    def pending_reason(self, item):
        if item.disabled:
            return "keyword is disabled"
        if item.status != Keywords.Status.NEW or item.cluster_id:
            return f"keyword is already clustered (status {item.status})"
        return None

    def estimate(self, ctx, items):
        return Decimal("0.00") if _clusters_locally(ctx) else super().estimate(ctx, items)

    def generate(self, ctx, unit):
        if not _clusters_locally(ctx):
            return super().generate(ctx, unit)
        existing = existing_members(ctx.site, [k.keyword for k in unit], MAX_LOCAL_MEMBERS, [k.pk for k in unit])
        keywords = [{"id": k.pk, "keyword": k.keyword} for k in unit]
        # Free and deterministic: no provider call; save() charges nothing (quantity 0).
        return Generation({"clusters": clustering.cluster_keywords(keywords, existing)}, model="local")

    def payload(self, ctx, unit):
        return {
            "keywords": [{"id": k.pk, "keyword": k.keyword, "volume": k.volume, "intent": k.intent} for k in unit],
            "existing_clusters": existing_names(ctx.site, [k.keyword for k in unit]),
        }

    def save(self, ctx, unit, data) -> Saved:
        keywords = {k.pk: k for k in unit}
        # Proposals by name, case-insensitive: the first spelling, description and sector win, and
        # a keyword goes to the first proposal that lists it.
        proposed: dict[str, tuple[str, str, int | None]] = {}
        members: dict[str, list[int]] = {}
        listed: set[int] = set()
        for proposal in data["clusters"]:
            name = " ".join(proposal["name"].split())[:255]
            ids = [i for i in dict.fromkeys(proposal["keyword_ids"]) if i in keywords and i not in listed]
            if not name or not ids:
                continue
            listed.update(ids)
            sectors = {keywords[i].sector_id for i in ids}
            proposed.setdefault(
                name.lower(), (name, proposal["description"], sectors.pop() if len(sectors) == 1 else None)
            )
            members.setdefault(name.lower(), []).extend(ids)
        if not members:
            raise InvalidOutput("The model assigned none of the keywords to a cluster.")
        clusters, created = self._clusters_named(ctx.site, proposed)
        assignment = {i: clusters[key].pk for key, ids in members.items() for i in ids}
        mapped = sorted(assignment)
        # One statement each: the keywords into their clusters, and those clusters' counts.
        Keywords.objects.filter(pk__in=mapped).update(
            cluster_id=Case(*(When(pk__in=ids, then=Value(clusters[key].pk)) for key, ids in members.items())),
            status=Keywords.Status.MAPPED,
        )
        counts = (
            Keywords.objects.filter(cluster=OuterRef("pk"))
            .order_by()
            .values("cluster")
            .annotate(n=Count("pk"))
            .values("n")
        )
        Clusters.objects.filter(pk__in=set(assignment.values())).update(keywords_count=Subquery(counts))

        local = _clusters_locally(ctx)
        left_out = [
            (i, "invalid_output", "The model did not assign this keyword to a cluster.")
            for i in keywords
            if i not in assignment
        ]
        return Saved(
            processed_ids=mapped,
            created_ids=created,
            quantity=0 if local else len(mapped),
            idempotency_key=idempotency_key(self.name, "keywords", mapped, "clusters", [assignment[i] for i in mapped]),
            stats={"clusters_created": len(created), "keywords_mapped": len(mapped)},
            failed=left_out,
        )

    @classmethod
    def _clusters_named(cls, site, proposed) -> tuple[dict[str, Clusters], list[int]]:
        """{lower-case name: the site's cluster of that name} for every proposed name, the
        missing ones created (their ids, in the proposals' order, come second): one select and
        one insert, or one by one when a concurrent twin created one of them meanwhile."""
        found: dict[str, Clusters] = {
            cluster.lname: cluster
            for cluster in Clusters.objects.annotate(lname=Lower("name")).filter(site=site, lname__in=list(proposed))
        }
        missing = [key for key in proposed if key not in found]
        new = [
            Clusters(
                account_id=site.account_id, site=site, name=name, description=description.strip(), sector_id=sector
            )
            for name, description, sector in (proposed[key] for key in missing)
        ]
        try:
            if new:
                with transaction.atomic():
                    Clusters.objects.bulk_create(new)
        except IntegrityError:
            created = []
            for key in missing:
                found[key], is_new = cls._cluster_named(site, *proposed[key])
                if is_new:
                    created.append(found[key].pk)
            return found, created
        found.update(zip(missing, new, strict=True))
        return found, [cluster.pk for cluster in new]

    @staticmethod
    def _cluster_named(site, name, description, sector_id):
        existing = Clusters.objects.annotate(lname=Lower("name")).filter(site=site, lname=name.lower()).first()
        if existing:
            return existing, False
        try:
            with transaction.atomic():  # a concurrent twin may create the same name first
                return Clusters.objects.create(
                    account_id=site.account_id,
                    site=site,
                    name=name,
                    description=description.strip(),
                    sector_id=sector_id,
                ), True
        except IntegrityError:
            return Clusters.objects.annotate(lname=Lower("name")).get(site=site, lname=name.lower()), False
