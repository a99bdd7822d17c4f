"""Writer rules used by the API: approving reviewed content."""

from django.db import transaction
from django.utils import timezone

from .models import Content


class NotInReview(Exception):
    """Some content is not in `review`; `statuses` maps content id -> its current status."""

    def __init__(self, statuses: dict[int, str]):
        self.statuses = statuses
        listed = ", ".join(f"{pk} is '{status}'" for pk, status in sorted(statuses.items())[:20])
        super().__init__(f"Only content in 'review' can be approved ({listed}).")


def approve_content(contents) -> int:
    """Approve all of `contents` or none: each must still be in `review` when it is locked."""
    ids = [c.pk for c in contents]
    with transaction.atomic():
        locked = list(Content.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        not_ready = {c.pk: c.status for c in locked if c.status != Content.Status.REVIEW}
        if not_ready:
            raise NotInReview(not_ready)
        now = timezone.now()
        return Content.objects.filter(pk__in=ids).update(
            status=Content.Status.APPROVED, approved_at=now, updated_at=now
        )
