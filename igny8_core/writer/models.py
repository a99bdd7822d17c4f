"""Writer: Tasks -> Content -> Images (pipeline stages 4-7).

There is no ImagePrompts model: an Images row with status=pending is an image prompt.
"""

from django.db import models

from igny8_core.accounts.models import Sector, SiteScopedModel
from igny8_core.planner.models import Clusters, ContentIdeas, ContentStructure, ContentType


class Tasks(SiteScopedModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    content_type = models.CharField(max_length=20, choices=ContentType.choices, default=ContentType.POST)
    content_structure = models.CharField(
        max_length=20, choices=ContentStructure.choices, default=ContentStructure.ARTICLE
    )
    keywords = models.JSONField(default=list, blank=True)
    cluster = models.ForeignKey(Clusters, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    # One task per idea: queue_to_writer can be retried without duplicating tasks.
    idea = models.OneToOneField(ContentIdeas, null=True, blank=True, on_delete=models.SET_NULL, related_name="task")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    error_message = models.TextField(blank=True)

    class Meta:
        verbose_name = "task"
        verbose_name_plural = "tasks"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["site", "status"], name="tasks_site_status"),
            models.Index(fields=["site", "id"], name="tasks_pending", condition=models.Q(status="queued")),
        ]

    def __str__(self) -> str:
        return self.title


class Content(SiteScopedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "Ready for review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    class SiteStatus(models.TextChoices):
        NOT_PUBLISHED = "not_published", "Not published"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"

    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # One content per task: a retried generate_content can never create a second draft.
    task = models.OneToOneField(Tasks, null=True, blank=True, on_delete=models.SET_NULL, related_name="content")
    cluster = models.ForeignKey(Clusters, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=500)
    html_content = models.TextField(blank=True)
    slug = models.SlugField(max_length=200, blank=True, allow_unicode=True)
    meta_title = models.CharField(max_length=300, blank=True)
    meta_description = models.CharField(max_length=500, blank=True)
    # JSON-LD graph published in the post: Article always, FAQPage when the article has an FAQ.
    schema_json = models.JSONField(default=dict, blank=True)
    # [{"content_id", "anchor", "url"}]: links to other content of the site placed in html_content.
    internal_links = models.JSONField(default=list, blank=True)
    # {"score": 0-100, "checks": [{"name", "passed", "detail"}]} from the local quality checks.
    quality = models.JSONField(default=dict, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # The task a rejected draft was written for: a regenerated task gets a new draft, so the
    # rejected one lets go of `task` (one content per task) and remembers it here.
    rejected_task = models.ForeignKey(
        Tasks, null=True, blank=True, on_delete=models.SET_NULL, related_name="rejected_content"
    )
    site_status = models.CharField(max_length=20, choices=SiteStatus.choices, default=SiteStatus.NOT_PUBLISHED)
    scheduled_publish_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    external_url = models.URLField(max_length=1000, blank=True)
    publish_attempts = models.PositiveSmallIntegerField(default=0)
    publish_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "content"
        verbose_name_plural = "content"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "slug"], condition=~models.Q(slug=""), name="content_slug_unique_per_site"
            )
        ]
        indexes = [
            models.Index(fields=["site", "status"], name="content_site_status"),
            models.Index(fields=["site", "id"], name="content_drafts", condition=models.Q(status="draft")),
            models.Index(fields=["site_status", "scheduled_publish_at"], name="content_publish_due"),
        ]

    def __str__(self) -> str:
        return self.title


def site_image_folder(account_id: int, site_id: int) -> str:
    return f"images/{int(account_id)}/{int(site_id)}"


def image_upload_to(instance: "Images", filename: str) -> str:
    # The file is named before the first save, which is where the account is taken from the site.
    account_id = instance.account_id or instance.site.account_id
    return f"{site_image_folder(account_id, instance.site_id)}/{filename}"


class Images(SiteScopedModel):
    class ImageType(models.TextChoices):
        FEATURED = "featured", "Featured"
        IN_ARTICLE = "in_article", "In article"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (prompt only)"
        GENERATED = "generated", "Generated"
        FAILED = "failed", "Failed"

    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="images")
    image_type = models.CharField(max_length=20, choices=ImageType.choices)
    position = models.PositiveSmallIntegerField(default=0)
    prompt = models.TextField()
    alt_text = models.CharField(max_length=300, blank=True)
    file = models.ImageField(upload_to=image_upload_to, blank=True, max_length=500)
    thumbnail = models.ImageField(upload_to=image_upload_to, blank=True, max_length=500)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    error_message = models.TextField(blank=True)

    class Meta:
        verbose_name = "image"
        verbose_name_plural = "images"
        ordering = ["content_id", "position"]
        constraints = [
            # A retried prompt generation can never duplicate a slot.
            models.UniqueConstraint(fields=["content", "image_type", "position"], name="image_slot_unique")
        ]
        indexes = [
            models.Index(fields=["site", "status"], name="images_site_status"),
            models.Index(fields=["site", "id"], name="images_pending", condition=models.Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.get_image_type_display()} #{self.position} of content {self.content_id}"
