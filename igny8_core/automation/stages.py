"""The seven stage descriptions. The service runs all of them with one loop (service.py).

A description says which items a stage picks (status-driven, so a resumed or recovered run
never redoes work), which config fields give its batch size / per-run limit / enable flag,
which AI function processes a batch, and which keys of the function's stats it adds up
into `stage_N_result`. An item that failed AI_MAX_ITEM_ATTEMPTS times is no longer pending: it
waits for the user (the failed_items / retry_failed endpoints).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

from igny8_core.ai.failures import exhausted_ids
from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images, Tasks


@dataclass(frozen=True)
class Stage:
    number: int
    name: str
    kind: str  # "AI", "Local" or "Manual" (the shape pipeline_overview reports)
    function: str | None  # AI engine function; None for the review gate
    pending: Callable  # site -> QuerySet of items waiting for this stage
    label: Callable  # item -> short text for "currently processing"
    processed_key: str  # stats key counting input items handled successfully
    created_key: str  # stats key counting what the stage produced
    stat_keys: tuple[str, ...]  # every stats key summed into the stage result
    limit_field: str  # AutomationConfig per-run limit (0 = unlimited)
    batch_field: str | None = None

    @property
    def enabled_field(self) -> str:
        return f"stage_{self.number}_enabled"

    @property
    def result_field(self) -> str:
        return f"stage_{self.number}_result"

    @property
    def is_gate(self) -> bool:
        return self.function is None

    def batch_size(self, config) -> int:
        return max(1, getattr(config, self.batch_field)) if self.batch_field else 0

    def limit(self, config) -> int:
        return getattr(config, self.limit_field)

    def enabled(self, config) -> bool:
        return getattr(config, self.enabled_field)

    def queue(self, site) -> QuerySet:
        return self.pending(site).order_by("pk")


def _keywords(site):
    return Keywords.objects.filter(site=site, status=Keywords.Status.NEW, cluster__isnull=True, disabled=False).exclude(
        pk__in=exhausted_ids("auto_cluster")
    )


def _clusters(site):
    return Clusters.objects.filter(site=site, status=Clusters.Status.NEW, ideas__isnull=True).exclude(
        pk__in=exhausted_ids("generate_ideas")
    )


def _ideas(site):
    return ContentIdeas.objects.filter(site=site, status=ContentIdeas.Status.NEW)


def _tasks(site):
    return Tasks.objects.filter(site=site, status=Tasks.Status.QUEUED, content__isnull=True).exclude(
        pk__in=exhausted_ids("generate_content")
    )


def _drafts(site):
    return Content.objects.filter(site=site, status=Content.Status.DRAFT, images__isnull=True).exclude(
        pk__in=exhausted_ids("generate_image_prompts")
    )


def _prompts(site):
    return Images.objects.filter(site=site, status=Images.Status.PENDING).exclude(
        pk__in=exhausted_ids("generate_images")
    )


def _in_review(site):
    return Content.objects.filter(site=site, status=Content.Status.REVIEW)


STAGES: tuple[Stage, ...] = (
    Stage(
        1,
        "Keywords → Clusters",
        "AI",
        "auto_cluster",
        _keywords,
        lambda k: k.keyword,
        "keywords_processed",
        "clusters_created",
        ("keywords_processed", "clusters_created", "keywords_mapped"),
        "max_keywords_per_run",
        "stage_1_batch_size",
    ),
    Stage(
        2,
        "Clusters → Ideas",
        "AI",
        "generate_ideas",
        _clusters,
        lambda c: c.name,
        "clusters_processed",
        "ideas_created",
        ("clusters_processed", "ideas_created"),
        "max_clusters_per_run",
        "stage_2_batch_size",
    ),
    Stage(
        3,
        "Ideas → Tasks",
        "Local",
        "queue_to_writer",
        _ideas,
        lambda i: i.idea_title,
        "ideas_processed",
        "tasks_created",
        ("ideas_processed", "tasks_created"),
        "max_ideas_per_run",
        "stage_3_batch_size",
    ),
    Stage(
        4,
        "Tasks → Content",
        "AI",
        "generate_content",
        _tasks,
        lambda t: t.title,
        "tasks_processed",
        "content_created",
        ("tasks_processed", "content_created", "total_words"),
        "max_tasks_per_run",
        "stage_4_batch_size",
    ),
    Stage(
        5,
        "Content → Image Prompts",
        "AI",
        "generate_image_prompts",
        _drafts,
        lambda c: c.title,
        "content_processed",
        "prompts_created",
        ("content_processed", "prompts_created"),
        "max_content_per_run",
        "stage_5_batch_size",
    ),
    Stage(
        6,
        "Image Prompts → Images",
        "AI",
        "generate_images",
        _prompts,
        lambda i: f"{i.get_image_type_display()} image #{i.position} of content {i.content_id}",
        "images_processed",
        "images_generated",
        ("images_processed", "images_generated"),
        "max_images_per_run",
        "stage_6_batch_size",
    ),
    Stage(
        7,
        "Review Gate",
        "Manual",
        None,
        _in_review,
        lambda c: c.title,
        "ready_for_review",
        "approved_count",
        ("ready_for_review", "approved_count", "scheduled_count"),
        "max_approvals_per_run",
    ),
)


def stage(number: int) -> Stage:
    return STAGES[number - 1]
