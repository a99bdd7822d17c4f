"""Reject + regenerate: the next run writes a new draft from the same idea; the rejected one stays."""

import pytest

from igny8_core.writer.models import Content, Images
from igny8_core.writer.services import reject_content

from .helpers import add_keywords, demo_engine, fast_config, start_and_execute

pytestmark = pytest.mark.django_db


def test_the_next_run_writes_a_new_draft_for_a_regenerated_task(small_site):
    add_keywords(small_site, 3)
    fast_config(small_site)
    start_and_execute(small_site, demo_engine(small_site))
    drafts = list(Content.objects.filter(site=small_site, status="review").order_by("pk"))
    assert drafts, "the first run should leave drafts in review"
    rejected = drafts[0]
    task_id = rejected.task_id
    reject_content(rejected, "Needs a new angle", regenerate=True)

    second = start_and_execute(small_site, demo_engine(small_site))

    assert second.status == "completed"
    assert second.stage_4_result["content_created"] == 1
    new_draft = Content.objects.get(task_id=task_id)
    assert new_draft.pk != rejected.pk and new_draft.status == "review"
    assert new_draft.images.filter(status=Images.Status.GENERATED).exists()
    old = Content.objects.get(pk=rejected.pk)
    assert old.status == "rejected" and old.rejected_task_id == task_id
    assert old.rejection_reason == "Needs a new angle"


def test_a_rejected_drafts_pending_prompts_get_no_images(small_site):
    add_keywords(small_site, 3)
    fast_config(small_site)
    start_and_execute(small_site, demo_engine(small_site))
    draft = Content.objects.filter(site=small_site).first()
    prompt = Images.objects.create(
        account_id=small_site.account_id,
        site=small_site,
        content=draft,
        image_type=Images.ImageType.IN_ARTICLE,
        position=9,
        prompt="a prompt left pending",
    )
    reject_content(draft, "No", regenerate=False)

    run = start_and_execute(small_site, demo_engine(small_site))

    prompt.refresh_from_db()
    assert prompt.status == Images.Status.PENDING and run.stage_6_result.get("images_processed", 0) == 0
