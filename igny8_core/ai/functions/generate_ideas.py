"""generate_ideas: up to 5 `new` clusters -> ContentIdeas (one provider call per cluster),
cluster -> `mapped`. Cost: CreditCostConfig "idea_generation" per cluster."""

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, OuterRef

from igny8_core.planner.models import Clusters, ContentIdeas, Keywords

from ..cannibalisation import split_duplicates
from ..exceptions import InvalidOutput
from ..outline import clean_outline
from ..prompts import CONTENT_IDEAS
from .base import AIFunction, Saved, idempotency_key

MAX_TARGET_KEYWORDS = 20
MAX_CLUSTER_KEYWORDS = 50  # keywords of the cluster shown to the model


class GenerateIdeas(AIFunction):
    name = "generate_ideas"
    operation = "idea_generation"
    max_batch = 5
    model = Clusters
    item_label = "cluster"
    prompt = CONTENT_IDEAS
    save_changes_own_row = True  # its status moves on
    nouns = ("clusters", "ideas")
    stats = (
        ("clusters_processed", "Clusters processed"),
        ("ideas_created", "Ideas created"),
        ("duplicates_skipped", "Duplicate ideas skipped"),
    )

    def with_details(self, queryset):
        # The keywords the prompt shows come with the cluster (no query per item for them).
        queryset = queryset.annotate(has_ideas=Exists(ContentIdeas.objects.filter(cluster=OuterRef("pk"))))
        if connection.vendor != "postgresql":  # the embedded SQLite: payload() reads them per cluster
            return queryset
        top = Keywords.objects.filter(cluster=OuterRef("pk")).order_by("-volume", "id").values("keyword")
        return queryset.annotate(top_keywords=ArraySubquery(top[:MAX_CLUSTER_KEYWORDS]))

    def pending(self, site):
        return Clusters.objects.filter(site=site, status=Clusters.Status.NEW, ideas__isnull=True)

    def pending_reason(self, item):
        if item.status != Clusters.Status.NEW:
            return f"cluster already has ideas (status {item.status})"
        if item.has_ideas:
            return "cluster already has ideas"
        return None

    @staticmethod
    def ideas_per_cluster() -> int:
        return max(1, settings.IGNY8_AI_IDEAS_PER_CLUSTER)

    def payload(self, ctx, unit):
        cluster = unit[0]
        if hasattr(cluster, "top_keywords"):
            keywords = list(cluster.top_keywords or [])
        else:
            top = Keywords.objects.filter(cluster=cluster).order_by("-volume", "id")
            keywords = list(top.values_list("keyword", flat=True)[:MAX_CLUSTER_KEYWORDS])
        return {
            "cluster": {"name": cluster.name, "description": cluster.description, "keywords": keywords},
            "count": self.ideas_per_cluster(),
        }

    def prompt_variables(self, ctx, unit):
        return {"count": self.ideas_per_cluster()}

    def prepare(self, ctx, unit, generation):
        ideas = []
        for idea in generation.data["ideas"][: self.ideas_per_cluster()]:
            title = " ".join(idea["title"].split())[:500]
            if title:
                keywords = [k.strip()[:255] for k in idea["target_keywords"] if k.strip()]
                ideas.append(
                    {
                        **idea,
                        "title": title,
                        "target_keywords": keywords[:MAX_TARGET_KEYWORDS],
                        "outline": clean_outline(idea.get("outline")),
                    }
                )
        if not ideas:
            raise InvalidOutput("The model proposed no usable idea (every title was empty).")
        return ideas

    def save(self, ctx, unit, ideas) -> Saved:
        cluster = unit[0]
        # Compared inside the transaction, so ideas saved by an earlier batch count too.
        ideas, duplicates = split_duplicates(ctx.site, ideas)
        rows = ContentIdeas.objects.bulk_create(
            [
                ContentIdeas(
                    account_id=cluster.account_id,
                    site_id=cluster.site_id,
                    sector_id=cluster.sector_id,
                    cluster=cluster,
                    idea_title=idea["title"],
                    description=idea["description"].strip(),
                    content_type=idea["content_type"],
                    content_structure=idea["content_structure"],
                    target_keywords=idea["target_keywords"],
                    outline=idea["outline"],
                )
                for idea in ideas
            ]
        )
        Clusters.objects.filter(pk=cluster.pk).update(status=Clusters.Status.MAPPED)
        created = [row.pk for row in rows]
        return Saved(
            processed_ids=[cluster.pk],
            created_ids=created,
            quantity=1,
            idempotency_key=idempotency_key(self.name, "cluster", [cluster.pk], "ideas", created),
            stats={"ideas_created": len(created), "duplicates_skipped": len(duplicates)},
            notes=[duplicate.note for duplicate in duplicates],
        )
