"""Failed items of a site's pipeline: what failed, why, how often, what it leaves missing, and
the user's retry.

The facts come from ItemFailure rows (written by the AI engine). An item with attempts left
is still pending and the next run tries it again; one out of attempts waits here until the
user retries it (its attempts start again from 0 and it is pending again).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet

from igny8_core.accounts.models import Site
from igny8_core.ai.failures import max_attempts
from igny8_core.ai.models import ItemFailure
from igny8_core.planner.models import Clusters, Keywords
from igny8_core.writer.models import Content, Images, Tasks

from .exceptions import AlreadyRunning
from .models import ACTIVE_STATUSES, AutomationRun


@dataclass(frozen=True)
class FailedKind:
    stage: int
    function: str
    item_type: str
    model: type[models.Model]


KINDS = (
    FailedKind(1, "auto_cluster", "keyword", Keywords),
    FailedKind(2, "generate_ideas", "cluster", Clusters),
    FailedKind(4, "generate_content", "task", Tasks),
    FailedKind(5, "generate_image_prompts", "content", Content),
    FailedKind(6, "generate_images", "image", Images),
)
BY_FUNCTION = {kind.function: kind for kind in KINDS}
BY_STAGE = {kind.stage: kind for kind in KINDS}
RETRYABLE_STAGES = tuple(BY_STAGE)


def failures(site: Site, stage: int | None = None, run: AutomationRun | None = None) -> QuerySet[ItemFailure]:
    """ItemFailure rows of `site` (newest first), of one stage / of one run if given."""
    rows = ItemFailure.objects.filter(site=site, function__in=BY_FUNCTION)
    if stage is not None:
        rows = rows.filter(function=BY_STAGE[stage].function) if stage in BY_STAGE else rows.none()
    if run is not None:
        rows = rows.filter(run=run)
    return rows.select_related("run").order_by("-failed_at", "-id")


def sites_of_items(account_id: int, ids: list[Any]) -> list[Site]:
    """The sites (of this account) whose failed items have these ids."""
    clean = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    site_ids = ItemFailure.objects.filter(account_id=account_id, item_id__in=clean).values("site_id")
    return list(Site.objects.filter(pk__in=site_ids, account_id=account_id))


def _title_and_missing(kind: FailedKind, item: Any) -> tuple[str, str]:
    """A short title of the item, and what its failure leaves missing downstream."""
    if item is None:
        return "", "The item was deleted."
    if kind.item_type == "keyword":
        return item.keyword, "The keyword is in no cluster yet."
    if kind.item_type == "cluster":
        return item.name, "The cluster has no content ideas yet."
    if kind.item_type == "task":
        return item.title, "The idea's article is not written yet."
    if kind.item_type == "content":
        return item.title, "The article has no image prompts (and no images) yet."
    what = "featured image" if item.image_type == Images.ImageType.FEATURED else f"in-article image #{item.position}"
    return (
        f"{item.get_image_type_display()} image #{item.position} of “{item.content.title}”",
        f"The article “{item.content.title}” is missing its {what}.",
    )


def describe(rows: Iterable[ItemFailure]) -> list[dict[str, Any]]:
    """The API shape of failure rows, with each item's title loaded in one query per kind."""
    rows = list(rows)
    items: dict[tuple[str, int], Any] = {}
    for function, kind in BY_FUNCTION.items():
        ids = [row.item_id for row in rows if row.function == function]
        if ids:
            queryset = kind.model._default_manager.filter(pk__in=ids)
            if kind.model is Images:
                queryset = queryset.select_related("content")
            items.update({(function, item.pk): item for item in queryset})
    limit = max_attempts()
    described = []
    for row in rows:
        kind = BY_FUNCTION[row.function]
        title, missing = _title_and_missing(kind, items.get((row.function, row.item_id)))
        described.append(
            {
                "stage": kind.stage,
                "item_type": kind.item_type,
                "id": row.item_id,
                "title": title,
                "error": row.error,
                "code": row.code,
                "attempts": row.attempts,
                "retries_left": max(0, limit - row.attempts),
                "failed_at": row.failed_at,
                "missing": missing,
                "run_id": row.run.run_id if row.run is not None else None,
            }
        )
    return described


def remaining(site: Site) -> dict[str, int]:
    """Per stage, how many items are still pending (what the next run would pick up)."""
    from .reporting import pending_counts

    return {f"stage_{number}": count for number, count in pending_counts(site).items()}


def retry_failed(site: Site, stage: int | None = None, ids: list[int] | None = None) -> dict[str, Any]:
    """Make failed items pending again with their attempts reset; the next run processes them.
    Raises AlreadyRunning while a run of the site is running or paused (it would race them)."""
    active = AutomationRun.objects.filter(site=site, status__in=ACTIVE_STATUSES).first()
    if active is not None:
        raise AlreadyRunning(active.run_id)
    kinds = [BY_STAGE[stage]] if stage is not None else list(KINDS)
    requeued = {}
    with transaction.atomic():
        for kind in kinds:
            item_ids = _failed_ids(site, kind, ids)
            if item_ids:
                _make_pending(site, kind, item_ids)
                ItemFailure.objects.filter(function=kind.function, item_id__in=item_ids).delete()
            requeued[f"stage_{kind.stage}"] = len(item_ids)
    return {"requeued": requeued, "total": sum(requeued.values())}


def _failed_ids(site: Site, kind: FailedKind, ids: list[int] | None) -> list[int]:
    rows = ItemFailure.objects.filter(site=site, function=kind.function)
    if ids is not None:
        rows = rows.filter(item_id__in=ids)
    found = set(rows.values_list("item_id", flat=True))
    # Tasks and images also have a failed state of their own (set before attempts were kept).
    if kind.model in (Tasks, Images):
        legacy = kind.model.objects.filter(site=site, status=kind.model.Status.FAILED)
        if ids is not None:
            legacy = legacy.filter(pk__in=ids)
        found |= set(legacy.values_list("pk", flat=True))
    return sorted(found)


def _make_pending(site: Site, kind: FailedKind, item_ids: list[int]) -> None:
    if kind.model is Tasks:
        Tasks.objects.filter(site=site, pk__in=item_ids, status=Tasks.Status.FAILED).update(
            status=Tasks.Status.QUEUED, error_message=""
        )
    elif kind.model is Images:
        images = Images.objects.filter(site=site, pk__in=item_ids, status=Images.Status.FAILED)
        content_ids = set(images.values_list("content_id", flat=True))
        images.update(status=Images.Status.PENDING, error_message="")
        # An article that went to review without this image waits for it again (stage 6 moves
        # it back to review once no image is pending); approved or published ones stay as they are.
        Content.objects.filter(pk__in=content_ids, status=Content.Status.REVIEW).update(status=Content.Status.DRAFT)
