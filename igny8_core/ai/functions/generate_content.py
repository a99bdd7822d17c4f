"""generate_content: one `queued` task -> a Content draft (title, sanitised HTML with h2/h3
sections and lists, meta title/description, word_count counted from the saved HTML);
task -> `completed`, its idea -> `completed`. A failed task -> `failed` with the reason.
Cost: CreditCostConfig "content_generation" per word (whole blocks of 500 by default)."""

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef

from igny8_core.planner.models import ContentIdeas
from igny8_core.writer.models import Content, Tasks

from .. import seo
from ..exceptions import InvalidOutput
from ..html import sanitize_and_count
from ..outline import clean_faq, faq_html
from ..prompts import ARTICLE, avoided_terms
from .base import AIFunction, Saved, idempotency_key

MIN_WORDS = 50  # shorter "articles" are a broken answer, not content


def complete_task(task_id: int) -> None:
    """The task and its idea -> completed, in one statement (the per-item path counts them)."""
    if connection.vendor != "postgresql":  # the embedded SQLite has no data-modifying WITH
        Tasks.objects.filter(pk=task_id).update(status=Tasks.Status.COMPLETED, error_message="")
        ContentIdeas.objects.filter(task__pk=task_id).update(status=ContentIdeas.Status.COMPLETED)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH task AS (
                    UPDATE {Tasks._meta.db_table} SET status = %s, error_message = '' WHERE id = %s RETURNING idea_id
                )
                UPDATE {ContentIdeas._meta.db_table} SET status = %s WHERE id IN (SELECT idea_id FROM task)""",
            [Tasks.Status.COMPLETED, task_id, ContentIdeas.Status.COMPLETED],
        )


class GenerateContent(AIFunction):
    name = "generate_content"
    operation = "content_generation"
    max_batch = 1
    model = Tasks
    item_label = "task"
    prompt = ARTICLE
    save_changes_own_row = True  # its status moves on
    nouns = ("tasks", "content")
    stats = (
        ("tasks_processed", "Tasks processed"),
        ("content_created", "Content created"),
        ("total_words", "Words written"),
    )

    def with_details(self, queryset):
        return queryset.select_related("cluster", "idea").annotate(
            has_content=Exists(Content.objects.filter(task=OuterRef("pk")))
        )

    def pending(self, site):
        return Tasks.objects.filter(site=site, status=Tasks.Status.QUEUED, content__isnull=True)

    def pending_reason(self, item):
        if item.status != Tasks.Status.QUEUED:
            return f"task is {item.status}"
        if item.has_content:
            return "task already has content"
        return None

    def billable_units(self, count, site):
        # Words are only known afterwards: estimate with the configured upper bound.
        return settings.IGNY8_AI_CONTENT_MAX_WORDS

    def price(self, count, site, variant=None):
        # Each article is charged (and rounded) on its own: price one, times the count.
        return super().price(min(count, 1), site, variant) * count

    def payload(self, ctx, unit):
        task = unit[0]
        return {
            "title": task.title,
            "description": task.description,
            "content_type": task.content_type,
            "content_structure": task.content_structure,
            "keywords": list(task.keywords or []) or [task.title],
            "cluster": task.cluster.name if task.cluster else "",
            "target_words": settings.IGNY8_AI_CONTENT_WORDS,
            "outline": (task.idea.outline if task.idea_id and task.idea else None) or {"sections": [], "faq": []},
            "site": {
                "name": ctx.site.name,
                "topic": ctx.site.topic or ctx.site.name,
                "audience": ctx.site.audience,
                "avoid_terms": avoided_terms(ctx.site),
            },
        }

    def prompt_variables(self, ctx, unit):
        return {"target_words": settings.IGNY8_AI_CONTENT_WORDS}

    def prepare(self, ctx, unit, generation):
        data = generation.data
        faq = clean_faq(data.get("faq"))
        html, words = sanitize_and_count(data["html_content"] + faq_html(faq))
        if words < MIN_WORDS:
            raise InvalidOutput(f"The article has only {words} words (at least {MIN_WORDS} expected).")
        task, site = unit[0], ctx.site
        title = " ".join(data["title"].split())[:500] or task.title
        description = seo.meta_description(data["meta_description"], html)
        return {
            "title": title,
            "html": html,
            "words": words,
            "meta_title": seo.meta_title(data["meta_title"], title, site.name),
            "meta_description": description,
            "schema_json": seo.schema_graph(
                title=title,
                description=description,
                site_name=site.name,
                site_url=f"https://{site.domain}/",
                language=site.language,
                keywords=list(task.keywords or []),
                faq=faq,
            ),
        }

    def save(self, ctx, unit, article) -> Saved:
        task = unit[0]
        # The first free slug; a concurrent draft taking it before our insert makes the unique
        # constraint refuse the whole unit, which the engine commits once more (a fresh check).
        slug = seo.unique_slug(
            article["title"], lambda s: Content.objects.filter(site_id=task.site_id, slug=s).exists()
        )
        content = Content.objects.create(
            account_id=task.account_id,
            site_id=task.site_id,
            sector_id=task.sector_id,
            task=task,
            cluster_id=task.cluster_id,
            title=article["title"],
            slug=slug,
            html_content=article["html"],
            meta_title=article["meta_title"],
            meta_description=article["meta_description"],
            schema_json=article["schema_json"],
            word_count=article["words"],
            status=Content.Status.DRAFT,
        )
        complete_task(task.pk)
        return Saved(
            processed_ids=[task.pk],
            created_ids=[content.pk],
            quantity=article["words"],
            idempotency_key=idempotency_key(self.name, "task", [task.pk], "content", [content.pk]),
            stats={"content_created": 1, "total_words": article["words"]},
        )

    def mark_failed(self, ctx, ids, reason):
        Tasks.objects.filter(pk__in=ids, status=Tasks.Status.QUEUED).update(
            status=Tasks.Status.FAILED, error_message=reason[:5000]
        )
