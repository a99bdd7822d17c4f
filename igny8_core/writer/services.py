"""Writer rules used by the API: approving, rejecting (optionally regenerating) and editing
drafts before they are published."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from igny8_core.ai.html import sanitize_and_count
from igny8_core.planner.models import ContentIdeas

from .models import Content, Tasks

# Content the publisher has taken (or finished) is on the WordPress site: editing or rejecting
# it here would silently diverge from what readers see.
ON_SITE = (Content.SiteStatus.PUBLISHING, Content.SiteStatus.PUBLISHED)


class NotInReview(Exception):
    """Some content is not in `review`; `statuses` maps content id -> its current status."""

    def __init__(self, statuses: dict[int, str]):
        self.statuses = statuses
        listed = ", ".join(f"{pk} is '{status}'" for pk, status in sorted(statuses.items())[:20])
        super().__init__(f"Only content in 'review' can be approved ({listed}).")


class ReviewConflict(Exception):
    """The content's state forbids the change; `code` is the API error code."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class SlugTaken(Exception):
    """Another content of the same site already uses the slug (it is unique per site)."""


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


def _lock_unpublished(content: Content) -> Content:
    """The content row locked for this transaction; ReviewConflict once it is on the site."""
    locked = Content.objects.select_for_update().get(pk=content.pk)
    if locked.status == Content.Status.PUBLISHED or locked.site_status in ON_SITE:
        raise ReviewConflict(
            f"Content {locked.pk} is already published (or being published) on the site.", "already_published"
        )
    return locked


def reject_content(content: Content, reason: str, regenerate: bool) -> Content:
    """Mark a draft `rejected` with its reason, out of the publishing queue.

    With `regenerate`, its task goes back to the writer queue: the draft lets go of the task
    (one content per task) and the next run's stage 4 writes a new draft from the same idea.
    """
    with transaction.atomic():
        locked = _lock_unpublished(content)
        if locked.status == Content.Status.REJECTED:
            raise ReviewConflict(f"Content {locked.pk} is already rejected.", "already_rejected")
        task = locked.task
        if regenerate and task is None:
            raise ReviewConflict(
                f"Content {locked.pk} was not written from a task, so there is nothing to regenerate.", "no_task"
            )
        now = timezone.now()
        locked.status = Content.Status.REJECTED
        locked.rejection_reason = reason
        locked.rejected_at = now
        # An approved draft waiting for its publishing slot must not go out.
        locked.site_status = Content.SiteStatus.NOT_PUBLISHED
        locked.scheduled_publish_at = None
        fields = ["status", "rejection_reason", "rejected_at", "site_status", "scheduled_publish_at", "updated_at"]
        if regenerate:
            locked.rejected_task = task
            locked.task = None
            fields += ["rejected_task", "task"]
        locked.save(update_fields=fields)
        if regenerate and task is not None:
            Tasks.objects.filter(pk=task.pk).update(status=Tasks.Status.QUEUED, error_message="", updated_at=now)
            if task.idea_id:
                ContentIdeas.objects.filter(pk=task.idea_id).update(status=ContentIdeas.Status.QUEUED)
    return locked


EDITABLE_FIELDS = ("title", "html_content", "meta_title", "meta_description", "slug")


def edit_content(content: Content, changes: dict[str, str]) -> Content:
    """Apply a reviewer's edits; the body goes through the same allow-list sanitiser as the
    AI's output (it is shown in the dashboard and published), and its word count follows.
    A slug must be free on the site (SlugTaken)."""
    try:
        with transaction.atomic():
            locked = _lock_unpublished(content)
            fields = {"updated_at"}
            for name, value in changes.items():
                if name == "html_content":
                    value, locked.word_count = sanitize_and_count(value)
                    fields.add("word_count")
                if name == "slug" and value and _slug_used(locked, value):
                    raise SlugTaken(value)
                setattr(locked, name, value)
                fields.add(name)
            locked.save(update_fields=sorted(fields))
    except IntegrityError as exc:  # a concurrent edit took the slug between the check and the save
        raise SlugTaken(changes.get("slug", "")) from exc
    return locked


def _slug_used(content: Content, slug: str) -> bool:
    return Content.objects.filter(site_id=content.site_id, slug=slug).exclude(pk=content.pk).exists()
