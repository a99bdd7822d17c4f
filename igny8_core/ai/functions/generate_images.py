"""generate_images: `pending` Images -> image files (one provider call per image), Pillow-
normalised and stored through Django storage with a thumbnail; image -> `generated`, or
`failed` with the reason. When a content has no pending image left, it moves `draft` ->
`review` here (not in the orchestrator). Cost: "image_generation" per image, priced by the
provider's size:quality variant (CreditCostConfig.variant_costs)."""

from django.db import transaction
from django.db.models import Exists, OuterRef

from igny8_core.writer.models import Content, Images, image_upload_to

from .. import imaging
from ..providers import configured_image_variant
from .base import AIFunction, Generation, Saved, idempotency_key


def advance_content_when_done(content_ids, locked: bool = False) -> int:
    """Move each draft content with no pending image left to review; returns how many moved.

    The content row is locked first (`locked`: the caller's transaction already holds the
    lock), so two workers finishing its last two images at the same time cannot both miss the
    transition."""
    ids = sorted(set(content_ids))
    # Lock, then decide in a second statement: it sees the images a twin committed meanwhile.
    if not locked:
        list(Content.objects.filter(pk__in=ids).order_by("pk").select_for_update().values_list("pk"))
    pending = Images.objects.filter(content=OuterRef("pk"), status=Images.Status.PENDING)
    return (
        Content.objects.filter(pk__in=ids, status=Content.Status.DRAFT)
        .exclude(Exists(pending))
        .update(status=Content.Status.REVIEW)
    )


IMAGE_FIELDS = [field.name for field in Images._meta.concrete_fields]


class GenerateImages(AIFunction):
    name = "generate_images"
    operation = "image_generation"
    max_batch = 10
    model = Images
    item_label = "image"
    prompt = None  # the Images row carries its own prompt
    save_changes_own_row = True  # its status moves on
    # The article moves to review with its last image: the engine's locking read locks it
    # (by article, so two batches in flight lock their articles in the same order).
    locks_also = ("content",)
    lock_order = ("content_id", "pk")
    kind = "image"
    nouns = ("image prompts", "images")
    stats = (
        ("images_processed", "Images processed"),
        ("images_generated", "Images generated"),
        ("content_moved_to_review", "Content moved to review"),
    )

    def with_details(self, queryset):
        # The article is read for its title (and locked): not its HTML and the rest, which would
        # be compiled, sent and built into every image's row twice per image.
        return queryset.select_related("content").only(*IMAGE_FIELDS, "content__title", "content__status")

    def pending(self, site):
        # A rejected draft's prompts are not worth an image.
        return Images.objects.filter(site=site, status=Images.Status.PENDING).exclude(
            content__status=Content.Status.REJECTED
        )

    def pending_reason(self, item):
        return None if item.status == Images.Status.PENDING else f"image is {item.status}"

    def variant(self, ctx):
        return ctx.provider.image_variant

    def planned_variant(self, site):
        return configured_image_variant(site.account)

    def generate(self, ctx, unit):
        image = unit[0]
        provider = ctx.provider
        # Only the demo provider draws `title`: the article's for the featured image, the
        # section's alt text for in-article ones.
        title = image.content.title if image.image_type == Images.ImageType.FEATURED else image.alt_text
        answer = provider.generate_image(
            image.prompt, provider.image_size, provider.image_quality, title=title or image.content.title
        )
        return Generation(answer.data, answer.model, attempts=answer.attempts)

    def prepare(self, ctx, unit, generation):
        image = unit[0]
        normalised = imaging.normalise(generation.data)  # MalformedOutput when undecodable
        slot = f"content-{image.content_id}-{image.image_type}-{image.position}"
        return imaging.store(normalised, lambda filename: image_upload_to(image, f"{slot}-{filename}"))

    def discard(self, stored):
        if stored is not None:
            stored.delete()

    def save(self, ctx, unit, stored) -> Saved:
        image = unit[0]
        Images.objects.filter(pk=image.pk).update(
            file=stored.file_name,
            thumbnail=stored.thumbnail_name,
            width=stored.width,
            height=stored.height,
            status=Images.Status.GENERATED,
            error_message="",
        )
        moved = advance_content_when_done([image.content_id], locked=True)
        return Saved(
            processed_ids=[image.pk],
            created_ids=[image.pk],
            quantity=1,
            variant=self.variant(ctx),
            idempotency_key=idempotency_key(self.name, "image", [image.pk], "file", [stored.file_name]),
            stats={"images_generated": 1, "content_moved_to_review": moved},
        )

    def mark_failed(self, ctx, ids, reason):
        with transaction.atomic():
            images = list(Images.objects.filter(pk__in=ids, status=Images.Status.PENDING).select_for_update())
            Images.objects.filter(pk__in=[i.pk for i in images]).update(
                status=Images.Status.FAILED, error_message=reason[:5000]
            )
            advance_content_when_done([i.content_id for i in images])
