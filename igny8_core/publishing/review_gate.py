"""Stage 7 (the review gate). Called by the automation pipeline; knows nothing about runs.

Out of the box this is a manual gate: it counts content waiting for review and publishes
nothing. The publishing issue extends it with auto-approval and scheduling when the site's
PublishingSettings enable them.
"""
from igny8_core.writer.models import Content


def process_review_gate(site, max_approvals: int = 0) -> dict:
    """Return at least {"ready_for_review", "approved_count", "scheduled_count", "not_scheduled",
    "auto_approval"}. `max_approvals` 0 means unlimited."""
    ready = Content.objects.filter(site=site, status=Content.Status.REVIEW).count()
    return {
        "ready_for_review": ready,
        "approved_count": 0,
        "scheduled_count": 0,
        "not_scheduled": [],
        "auto_approval": False,
    }
