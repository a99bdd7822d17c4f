"""Planner: Keywords -> Clusters -> ContentIdeas (pipeline stages 1-3)."""

from django.db import models
from django.db.models.functions import Lower

from igny8_core.accounts.models import Sector, SiteScopedModel


class Keywords(SiteScopedModel):
    class Status(models.TextChoices):
        NEW = "new", "New"
        MAPPED = "mapped", "Mapped"

    class Intent(models.TextChoices):
        INFORMATIONAL = "informational", "Informational"
        COMMERCIAL = "commercial", "Commercial"
        TRANSACTIONAL = "transactional", "Transactional"
        NAVIGATIONAL = "navigational", "Navigational"

    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    keyword = models.CharField(max_length=255)
    volume = models.PositiveIntegerField(default=0)
    difficulty = models.PositiveSmallIntegerField(default=0)
    intent = models.CharField(max_length=20, choices=Intent.choices, default=Intent.INFORMATIONAL)
    cluster = models.ForeignKey(
        "planner.Clusters", null=True, blank=True, on_delete=models.SET_NULL, related_name="keywords"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    disabled = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "keywords"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(Lower("keyword"), "site", name="keyword_unique_per_site_ci"),
            models.CheckConstraint(condition=models.Q(difficulty__lte=100), name="keyword_difficulty_0_100"),
        ]
        indexes = [
            models.Index(fields=["site", "status"], name="keywords_site_status"),
            # The stage's pending queue, in pick order: a partial index keeps its plan right whatever
            # other sites hold (without it, 80k unclustered keywords elsewhere made it scan them).
            models.Index(
                fields=["site", "id"],
                name="keywords_pending",
                condition=models.Q(status="new", cluster__isnull=True, disabled=False),
            ),
        ]

    def __str__(self) -> str:
        return self.keyword


class Clusters(SiteScopedModel):
    class Status(models.TextChoices):
        NEW = "new", "New"
        MAPPED = "mapped", "Mapped"

    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    keywords_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)

    class Meta:
        verbose_name_plural = "clusters"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(Lower("name"), "site", name="cluster_name_unique_per_site_ci")]
        indexes = [
            models.Index(fields=["site", "status"], name="clusters_site_status"),
            models.Index(fields=["site", "id"], name="clusters_pending", condition=models.Q(status="new")),
        ]

    def __str__(self) -> str:
        return self.name


class ContentType(models.TextChoices):
    POST = "post", "Blog post"
    PAGE = "page", "Page"
    PRODUCT = "product", "Product"


class ContentStructure(models.TextChoices):
    ARTICLE = "article", "Article"
    GUIDE = "guide", "Guide"
    HOW_TO = "how_to", "How-to"
    LISTICLE = "listicle", "Listicle"
    COMPARISON = "comparison", "Comparison"
    REVIEW = "review", "Review"


class ContentIdeas(SiteScopedModel):
    class Status(models.TextChoices):
        NEW = "new", "New"
        QUEUED = "queued", "Queued"
        COMPLETED = "completed", "Completed"

    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    idea_title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    content_type = models.CharField(max_length=20, choices=ContentType.choices, default=ContentType.POST)
    content_structure = models.CharField(
        max_length=20, choices=ContentStructure.choices, default=ContentStructure.ARTICLE
    )
    target_keywords = models.JSONField(default=list, blank=True)
    # {"sections": [{"heading", "level": 2|3, "points": [...]}], "faq": [question, ...]}; the writer follows it.
    outline = models.JSONField(default=dict, blank=True)
    cluster = models.ForeignKey(Clusters, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)

    class Meta:
        verbose_name = "content idea"
        verbose_name_plural = "content ideas"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["site", "status"], name="ideas_site_status"),
            models.Index(fields=["site", "id"], name="ideas_pending", condition=models.Q(status="new")),
        ]

    def __str__(self) -> str:
        return self.idea_title
