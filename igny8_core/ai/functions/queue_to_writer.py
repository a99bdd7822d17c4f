"""queue_to_writer (local, no AI, free): `new` ideas -> writer Tasks, idea -> `queued`, a
batch at a time.

The Tasks.idea one-to-one and the pending re-check under the row lock make a retried call
create no second task."""

from django.db.models import Exists, OuterRef

from igny8_core.planner.models import ContentIdeas
from igny8_core.writer.models import Tasks

from .base import AIFunction, Saved


class QueueToWriter(AIFunction):
    name = "queue_to_writer"
    operation = None
    max_batch = 100
    model = ContentIdeas
    item_label = "idea"
    save_changes_own_row = True  # its status moves on
    # Local and free: a batch is saved in one transaction (one insert, one update), not one
    # transaction per idea; nothing in it can fail one idea without the others.
    per_item = False
    prompt = None
    kind = "local"
    nouns = ("ideas", "tasks")
    stats = (
        ("ideas_processed", "Ideas processed"),
        ("tasks_created", "Tasks created"),
    )

    def with_details(self, queryset):
        return queryset.annotate(has_task=Exists(Tasks.objects.filter(idea=OuterRef("pk"))))

    def pending(self, site):
        return ContentIdeas.objects.filter(site=site, status=ContentIdeas.Status.NEW)

    def pending_reason(self, item):
        if item.status != ContentIdeas.Status.NEW:
            return f"idea is already {item.status}"
        if item.has_task:
            return "idea already has a task"
        return None

    def save(self, ctx, unit, prepared) -> Saved:
        tasks = Tasks.objects.bulk_create(
            [
                Tasks(
                    account_id=idea.account_id,
                    site_id=idea.site_id,
                    sector_id=idea.sector_id,
                    title=idea.idea_title[:500],
                    description=idea.description,
                    content_type=idea.content_type,
                    content_structure=idea.content_structure,
                    keywords=list(idea.target_keywords or []),
                    cluster_id=idea.cluster_id,
                    idea=idea,
                    status=Tasks.Status.QUEUED,
                )
                for idea in unit
            ]
        )
        ids = [idea.pk for idea in unit]
        ContentIdeas.objects.filter(pk__in=ids).update(status=ContentIdeas.Status.QUEUED)
        return Saved(
            processed_ids=ids, created_ids=[task.pk for task in tasks], quantity=0, stats={"tasks_created": len(tasks)}
        )
