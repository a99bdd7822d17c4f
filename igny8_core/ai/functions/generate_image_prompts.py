"""generate_image_prompts: `draft` content without images -> Images rows `pending` (an
Images row with a prompt *is* the image prompt): one featured (position 0) and up to
site.in_article_images in-article (positions 1..N). Cost: "image_prompt_extraction" per prompt."""

from django.db.models import Exists, OuterRef

from igny8_core.writer.models import Content, Images

from ..exceptions import InvalidOutput
from ..html import text_and_headings
from ..prompts import IMAGE_PROMPTS
from .base import AIFunction, Saved, idempotency_key

SUMMARY_CHARS = 600


class GenerateImagePrompts(AIFunction):
    name = "generate_image_prompts"
    operation = "image_prompt_extraction"
    max_batch = 10
    model = Content
    item_label = "content"
    prompt = IMAGE_PROMPTS
    nouns = ("content", "image prompts")
    stats = (
        ("content_processed", "Content processed"),
        ("prompts_created", "Prompts created"),
    )

    def with_details(self, queryset):
        return queryset.annotate(has_images=Exists(Images.objects.filter(content=OuterRef("pk"))))

    def pending(self, site):
        return Content.objects.filter(site=site, status=Content.Status.DRAFT, images__isnull=True)

    def pending_reason(self, item):
        if item.status != Content.Status.DRAFT:
            return f"content is {item.status}"
        if item.has_images:
            return "content already has image prompts"
        return None

    def billable_units(self, count, site):
        return (1 + site.in_article_images) * count

    def payload(self, ctx, unit):
        content = unit[0]
        count = ctx.site.in_article_images
        text, headings = text_and_headings(content.html_content)
        return {
            "title": content.title,
            "sections": headings[: max(count, 1)],
            "summary": text[:SUMMARY_CHARS],
            "count": count,
        }

    def prompt_variables(self, ctx, unit):
        return {"count": ctx.site.in_article_images}

    def prepare(self, ctx, unit, generation):
        def clean(entry):
            return {"prompt": " ".join(entry["prompt"].split()), "alt_text": " ".join(entry["alt_text"].split())[:300]}

        featured = clean(generation.data["featured"])
        if not featured["prompt"]:
            raise InvalidOutput("The model gave no prompt for the featured image.")
        in_article = [p for p in map(clean, generation.data["in_article"]) if p["prompt"]]
        return [("featured", featured)] + [("in_article", p) for p in in_article[: ctx.site.in_article_images]]

    def save(self, ctx, unit, prompts) -> Saved:
        content = unit[0]
        rows = Images.objects.bulk_create(
            [
                Images(
                    account_id=content.account_id,
                    site_id=content.site_id,
                    content=content,
                    image_type=image_type,
                    position=position,
                    prompt=entry["prompt"],
                    alt_text=entry["alt_text"],
                    status=Images.Status.PENDING,
                )
                for position, (image_type, entry) in enumerate(prompts)
            ]
        )
        created = [row.pk for row in rows]
        return Saved(
            processed_ids=[content.pk],
            created_ids=created,
            quantity=len(created),
            idempotency_key=idempotency_key(self.name, "content", [content.pk], "images", created),
            stats={"prompts_created": len(created)},
        )
