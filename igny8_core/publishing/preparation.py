"""What the review gate does to drafts before any approval, locally and for free: place
internal links (re-linking cluster siblings) and score every draft waiting for review."""

from typing import Any

from django.db.models import Prefetch

from igny8_core.accounts.models import Site
from igny8_core.ai import linking, quality
from igny8_core.ai.similarity import Piece, PieceIndex
from igny8_core.writer.models import Content, Images


def _piece(content: Content) -> Piece:
    keywords = list(content.task.keywords or []) if content.task_id and content.task else []
    return Piece(content.title, keywords, f'content {content.pk} "{content.title}"')


def prepare_for_review(site: Site) -> dict[int, dict[str, Any]]:
    """Link and score the site's content in review. Returns {content_id: quality}."""
    waiting = list(Content.objects.filter(site=site, status=Content.Status.REVIEW).values_list("id", flat=True))
    if not waiting:
        return {}
    linking.relink_site(site, waiting)
    everything = list(
        Content.objects.filter(site=site, status__in=linking.LINKABLE)
        .select_related("task")
        .prefetch_related(Prefetch("images", queryset=Images.objects.only("id", "content_id", "alt_text")))
        .order_by("id")
    )
    pieces = PieceIndex(_piece(c) for c in everything)  # each draft compared with those sharing its words
    scored = []
    for position, content in enumerate(everything):
        if content.pk not in waiting:
            continue
        content.quality = quality.evaluate(content, site, pieces, available=len(everything) - 1, own=position)
        scored.append(content)
    Content.objects.bulk_update(scored, ["quality"], batch_size=500)  # one statement, not one per draft
    return {content.pk: content.quality for content in scored}
