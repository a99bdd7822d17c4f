"""Stage 7 links and scores every draft in review; min_quality_score holds back weak drafts
from auto-approval, with the failed checks as the reason."""

import pytest

from igny8_core.publishing.models import PublishingSettings
from igny8_core.publishing.review_gate import process_review_gate
from igny8_core.writer.models import Content, Tasks

pytestmark = pytest.mark.django_db

STRONG = (
    "<p>A cold brew ratio decides how strong your coffee tastes. Start with one part coffee to eight parts "
    "water.</p><h2>Finding your cold brew ratio</h2><p>Try a small jar first. Taste it after a day.</p>"
    "<h2>Storing it</h2><p>Keep it cold. Drink it within a week.</p>"
)


def draft(site, title, html, keyword, **fields):
    task = Tasks.objects.create(site=site, title=title, keywords=[keyword])
    values = {
        "task": task,
        "title": title,
        "slug": title.lower().replace(" ", "-"),
        "html_content": html,
        "word_count": 1000,
        "meta_title": title,
        "meta_description": "d" * 130,
        "status": Content.Status.REVIEW,
        **fields,
    }
    return Content.objects.create(site=site, **values)


def test_gate_scores_drafts_and_holds_those_below_the_minimum(alice_site, settings):
    settings.IGNY8_AI_CONTENT_WORDS = 1000
    PublishingSettings.objects.create(site=alice_site, auto_approval_enabled=True, min_quality_score=90)
    strong = draft(alice_site, "Cold Brew Ratios", STRONG, "cold brew ratio")
    weak = draft(alice_site, "Iced Tea", "<p>Short.</p><h4>Deep</h4>", "matcha latte", meta_description="short")

    result = process_review_gate(alice_site)

    strong.refresh_from_db()
    weak.refresh_from_db()
    assert strong.quality["score"] >= 90 and strong.status == Content.Status.APPROVED
    assert weak.status == Content.Status.REVIEW and weak.quality["score"] < 90
    failed = [c["name"] for c in weak.quality["checks"] if not c["passed"]]
    assert {"keyword_in_title", "heading_structure", "metadata_lengths"} <= set(failed)
    assert result["approved_count"] == 1
    assert result["held_for_quality"] == [
        {"content_id": weak.pk, "score": weak.quality["score"], "failed_checks": failed}
    ]


def test_without_a_minimum_every_draft_is_approved_but_still_scored(alice_site):
    PublishingSettings.objects.create(site=alice_site, auto_approval_enabled=True)
    weak = draft(alice_site, "Iced Tea", "<p>Short.</p>", "matcha latte")
    result = process_review_gate(alice_site)
    weak.refresh_from_db()
    assert weak.status == Content.Status.APPROVED and weak.quality["score"] < 100
    assert result["held_for_quality"] == []
