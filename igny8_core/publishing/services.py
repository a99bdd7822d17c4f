"""Publishing rules: approving content at stage 7 and giving approved content a publishing slot."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from igny8_core.accounts.models import Site
from igny8_core.writer.models import Content

from .models import PublishingSettings
from .scheduler import ScheduleRules, plan_slots

# Content that occupies a slot / counts against queue_limit.
QUEUED_STATUSES = (Content.SiteStatus.SCHEDULED, Content.SiteStatus.PUBLISHING)
OLDEST_FIRST = ("created_at", "id")


@dataclass
class ScheduleOutcome:
    scheduled: list[tuple[int, datetime]] = field(default_factory=list)
    not_scheduled: list[dict[str, Any]] = field(default_factory=list)  # [{"content_id", "code", "reason"}]


def approve_for_review(
    site: Site, limit: int = 0, now: datetime | None = None, min_quality_score: int = 0
) -> list[int]:
    """Approve up to `limit` (0 = all) content of the site waiting in review, oldest first;
    with `min_quality_score`, only content whose quality score reaches it.

    Rows are claimed with SKIP LOCKED and flipped with a conditional update, so two concurrent
    gates never approve the same item twice nor exceed their limits together."""
    now = now or timezone.now()
    with transaction.atomic():
        pending = Content.objects.filter(site=site, status=Content.Status.REVIEW).order_by(*OLDEST_FIRST)
        if min_quality_score:
            pending = pending.filter(quality__score__gte=min_quality_score)
        if limit and limit > 0:
            pending = pending[:limit]
        ids = list(pending.select_for_update(skip_locked=True).values_list("id", flat=True))
        Content.objects.filter(id__in=ids, status=Content.Status.REVIEW).update(
            status=Content.Status.APPROVED, approved_at=now, updated_at=now
        )
    return ids


def schedule_approved(
    site: Site, content_ids: Iterable[int] | None = None, now: datetime | None = None
) -> ScheduleOutcome:
    """Give approved, unpublished content of the site (optionally only `content_ids`) a slot.

    Scheduling of one site is serialised by a row lock on the site, so two schedulers never hand
    out the same slot; slots already taken by scheduled/publishing items are excluded."""
    now = now or timezone.now()
    outcome = ScheduleOutcome()
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        rules = ScheduleRules.from_settings(PublishingSettings.for_site(site), site.timezone)
        waiting = Content.objects.filter(
            site=site, status=Content.Status.APPROVED, site_status=Content.SiteStatus.NOT_PUBLISHED
        ).order_by(*OLDEST_FIRST)
        if content_ids is not None:
            waiting = waiting.filter(id__in=list(content_ids))
        waiting_ids = list(waiting.values_list("id", flat=True))
        if not waiting_ids:
            return outcome
        queued = Content.objects.filter(site=site, site_status__in=QUEUED_STATUSES)
        taken = [at for at in queued.values_list("scheduled_publish_at", flat=True) if at]
        plan = plan_slots(rules, waiting_ids, now, taken=taken, scheduled_count=queued.count())
        for content_id, at in plan.placed:
            updated = Content.objects.filter(id=content_id, site_status=Content.SiteStatus.NOT_PUBLISHED).update(
                site_status=Content.SiteStatus.SCHEDULED,
                scheduled_publish_at=at,
                publish_attempts=0,
                publish_error="",
                updated_at=now,
            )
            if updated:
                outcome.scheduled.append((content_id, at))
        outcome.not_scheduled = [{"content_id": u.item_id, "code": u.code, "reason": u.reason} for u in plan.unplaced]
    return outcome


def schedule_for_auto_publish_sites(now: datetime | None = None) -> int:
    """Schedule approved content of every site with auto-publish on (also content approved by
    hand, and items a full queue left over). Returns how many items got a slot."""
    site_ids = (
        Content.objects.filter(
            status=Content.Status.APPROVED,
            site_status=Content.SiteStatus.NOT_PUBLISHED,
            site__publishing_settings__auto_publish_enabled=True,
        )
        .values_list("site_id", flat=True)
        .distinct()
    )
    return sum(len(schedule_approved(site, now=now).scheduled) for site in Site.objects.filter(id__in=list(site_ids)))
