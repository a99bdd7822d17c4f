"""The seven stage descriptions. The service runs all of them with one loop (service.py).

A stage is its AI function (which items are pending, what the stats keys are, what a batch
costs: all owned by the function) plus the run's knobs: which config fields give its batch
size, per-run limit and enable flag, and how an item reads in "currently processing". The
review gate has no function; it describes its own queue and counts. An item that failed
AI_MAX_ITEM_ATTEMPTS times is no longer pending: it waits for the user (the failed_items /
retry_failed endpoints).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from igny8_core.ai.failures import exhausted_ids
from igny8_core.ai.functions import AIFunction, get_function
from igny8_core.writer.models import Content

STAGE_KINDS = ("AI", "Local", "Manual")  # what `Stage.kind` answers
GATE_NOUNS = ("content in review", "approved")
GATE_STATS = (
    ("ready_for_review", "Ready for review"),
    ("approved_count", "Approved"),
    ("scheduled_count", "Scheduled"),
)


@dataclass(frozen=True)
class Stage:
    number: int
    function: str | None  # AI engine function; None for the review gate
    label: Callable  # item -> short text for "currently processing"
    limit_field: str  # AutomationConfig per-run limit (0 = unlimited)
    batch_field: str | None = None

    @property
    def ai(self) -> AIFunction | None:
        return get_function(self.function) if self.function else None

    @property
    def nouns(self) -> tuple[str, str]:
        return self.ai.nouns if self.ai else GATE_NOUNS

    @property
    def name(self) -> str:
        if self.is_gate:
            return "Review Gate"
        source, target = self.nouns
        return f"{source.title()} → {target.title()}"

    @property
    def kind(self) -> str:
        """ "AI", "Local" or "Manual" (the shape pipeline_overview reports)."""
        if self.ai is None:
            return "Manual"
        return "Local" if self.ai.kind == "local" else "AI"

    @property
    def operation(self) -> str | None:
        """The credit operation its items are charged under (None: free)."""
        return self.ai.operation if self.ai else None

    @property
    def stats(self) -> tuple[tuple[str, str], ...]:
        return self.ai.stats if self.ai else GATE_STATS

    @property
    def processed_key(self) -> str:
        return self.stats[0][0]

    @property
    def created_key(self) -> str:
        return self.stats[1][0]

    @property
    def stat_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.stats)

    @property
    def enabled_field(self) -> str:
        return f"stage_{self.number}_enabled"

    @property
    def result_field(self) -> str:
        return f"stage_{self.number}_result"

    @property
    def is_gate(self) -> bool:
        return self.function is None

    def pending(self, site) -> QuerySet:
        """The site's items waiting for this stage."""
        if self.ai is None:
            return Content.objects.filter(site=site, status=Content.Status.REVIEW)
        queue = self.ai.pending(site)
        if self.ai.kind == "local":
            return queue  # local work never fails for the provider's sake
        return queue.exclude(pk__in=exhausted_ids(self.ai.name))

    def price(self, count: int, site) -> Decimal:
        """Credits for `count` items of this stage at most, priced by its function."""
        return self.ai.price(count, site, self.ai.planned_variant(site)) if self.ai else Decimal("0.00")

    def batch_size(self, config) -> int:
        return max(1, getattr(config, self.batch_field)) if self.batch_field else 0

    def limit(self, config) -> int:
        return getattr(config, self.limit_field)

    def enabled(self, config) -> bool:
        return getattr(config, self.enabled_field)

    def queue(self, site) -> QuerySet:
        return self.pending(site).order_by("pk")


STAGES: tuple[Stage, ...] = (
    Stage(1, "auto_cluster", lambda k: k.keyword, "max_keywords_per_run", "stage_1_batch_size"),
    Stage(2, "generate_ideas", lambda c: c.name, "max_clusters_per_run", "stage_2_batch_size"),
    Stage(3, "queue_to_writer", lambda i: i.idea_title, "max_ideas_per_run", "stage_3_batch_size"),
    Stage(4, "generate_content", lambda t: t.title, "max_tasks_per_run", "stage_4_batch_size"),
    Stage(5, "generate_image_prompts", lambda c: c.title, "max_content_per_run", "stage_5_batch_size"),
    Stage(
        6,
        "generate_images",
        lambda i: f"{i.get_image_type_display()} image #{i.position} of content {i.content_id}",
        "max_images_per_run",
        "stage_6_batch_size",
    ),
    Stage(7, None, lambda c: c.title, "max_approvals_per_run"),
)


def stage(number: int) -> Stage:
    return STAGES[number - 1]
