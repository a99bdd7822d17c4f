"""What the review gate does to drafts before any approval, locally and for free: place
internal links (re-linking cluster siblings) and score every draft waiting for review."""

from typing import Any

from django.db.models import Prefetch

from igny8_core.accounts.models import Site
from igny8_core.ai import linking, quality
from igny8_core.writer.models import Content, Images


def prepare_for_review(site: Site) -> dict[int, dict[str, Any]]:
    """Link and score the site's content in review. Returns {content_id: quality}."""
    waiting = list(Content.objects.filter(site=site, status=Content.Status.REVIEW).values_list("id", flat=True))
    if not waiting:
        return {}
    candidates = linking.site_candidates(site)  # read once: link targets and the drafts' comparisons
    linking.relink_site(site, waiting, candidates)
    position = {c.pk: n for n, c in enumerate(candidates.contents)}
    drafts = list(
        Content.objects.filter(pk__in=waiting, status__in=linking.LINKABLE)
        .select_related("task")
        .prefetch_related(Prefetch("images", queryset=Images.objects.only("id", "content_id", "alt_text")))
        .order_by("id")
    )
    for content in drafts:
        own = position.get(content.pk)
        content.quality = quality.evaluate(content, site, candidates.index, len(candidates.contents) - 1, own)
    Content.objects.bulk_update(drafts, ["quality"], batch_size=500)  # one statement, not one per draft
    return {content.pk: content.quality for content in drafts}
