"""Stage 7 (the review gate). Called by the automation pipeline; knows nothing about runs.

Out of the box this is a manual gate: it counts content waiting for review and publishes
nothing. When the site's PublishingSettings enable auto-approval, up to `max_approvals` items
in review are approved (oldest first); when auto-publish is on too, approved content is given
publishing slots (site_status=scheduled, scheduled_publish_at) by the slot scheduler.
"""

from typing import Any

from igny8_core.accounts.models import Site
from igny8_core.ai.quality import failed_checks
from igny8_core.writer.models import Content

from .models import PublishingSettings
from .preparation import prepare_for_review
from .services import approve_for_review, schedule_approved


def process_review_gate(site: Site, max_approvals: int = 0) -> dict[str, Any]:
    """Return {"ready_for_review", "approved_count", "scheduled_count", "not_scheduled",
    "auto_approval", "auto_publish", "held_for_quality"}. `max_approvals` 0 means unlimited.

    Every draft in review is first linked and scored (preparation.py); with a
    `min_quality_score`, auto-approval skips drafts below it and held_for_quality lists them
    as [{"content_id", "score", "failed_checks"}] (they stay in review).

    ready_for_review counts content in review when the gate ran (before approvals);
    not_scheduled lists [{"content_id", "code", "reason"}] for approved items left unscheduled.
    scheduled_count includes approved items a full queue left unscheduled in earlier runs."""
    scores = prepare_for_review(site)  # internal links and quality scores first: approval reads them
    ready = Content.objects.filter(site=site, status=Content.Status.REVIEW).count()
    settings = PublishingSettings.for_site(site)
    result = {
        "ready_for_review": ready,
        "approved_count": 0,
        "scheduled_count": 0,
        "not_scheduled": [],
        "auto_approval": settings.auto_approval_enabled,
        "auto_publish": settings.auto_publish_enabled,
        "held_for_quality": [],
    }
    if not settings.auto_approval_enabled:
        return result
    minimum = settings.min_quality_score
    approved = approve_for_review(site, limit=max_approvals or 0, min_quality_score=minimum)
    result["approved_count"] = len(approved)
    if minimum:
        result["held_for_quality"] = [
            {"content_id": pk, "score": q["score"], "failed_checks": failed_checks(q)}
            for pk, q in sorted(scores.items())
            if q["score"] < minimum and pk not in approved
        ]
    if settings.auto_publish_enabled:
        outcome = schedule_approved(site)
        result["scheduled_count"] = len(outcome.scheduled)
        result["not_scheduled"] = outcome.not_scheduled
    return result
