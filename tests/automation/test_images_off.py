"""Runs without images: the site says so, the image provider is `none`, or stage 5 / 6 is
disabled. Stages 5-6 are skipped ("images off"), every written draft reaches review at the
end of stage 4, and the estimate prices no image work."""

from decimal import Decimal

import pytest

from igny8_core.automation.logger import RunLogger
from igny8_core.automation.models import RunStatus
from igny8_core.automation.service import AutomationService
from igny8_core.writer.models import Content, Images

from .helpers import add_keywords, demo_engine, fast_config, start_and_execute

pytestmark = pytest.mark.django_db


def site_off(site, settings):
    site.generate_images = False
    site.save()
    return "the site makes no images"


def provider_none(site, settings):
    settings.IGNY8_IMAGE_PROVIDER = "none"
    return "the image provider is 'none'"


def stage_5_disabled(site, settings):
    fast_config(site, stage_5_enabled=False)
    return "stage 5 disabled"


def stage_6_disabled(site, settings):
    fast_config(site, stage_6_enabled=False)
    return "stage 6 disabled"


@pytest.mark.parametrize("switch_off", [site_off, provider_none, stage_5_disabled, stage_6_disabled])
def test_a_run_without_images_sends_every_draft_to_review(small_site, settings, switch_off):
    add_keywords(small_site, 6)
    fast_config(small_site)
    reason = switch_off(small_site, settings)
    estimate = AutomationService.estimate_credits(small_site)
    by_stage = {row["stage"]: row for row in estimate["breakdown"]}

    run = start_and_execute(small_site, engine=demo_engine(small_site))

    assert run.status == RunStatus.COMPLETED, run.error_message
    written = Content.objects.filter(site=small_site)
    assert written.count() == run.stage_result(4)["content_created"] > 0
    assert set(written.values_list("status", flat=True)) == {"review"}
    assert not Images.objects.filter(site=small_site).exists()
    for n in (5, 6):
        assert run.stage_result(n)["status"] == "skipped" and run.stage_result(n)["reason"] == f"Images off: {reason}."
        assert by_stage[n]["items"] == 0 and by_stage[n]["credits"] == Decimal("0.00")
    assert estimate["images_off"] == reason
    assert run.stage_result(7)["ready_for_review"] == written.count()
    log = RunLogger(run).tail(200)
    assert f"skipped: images off ({reason})" in log and f"{written.count()} draft(s) sent to review" in log


def test_drafts_left_from_an_earlier_run_are_released_when_images_are_turned_off(small_site, settings):
    content = Content.objects.create(site=small_site, title="Old draft", html_content="<p>x</p>")
    Images.objects.create(site=small_site, content=content, position=0, image_type="featured", prompt="p")
    fast_config(small_site)
    site_off(small_site, settings)

    run = start_and_execute(small_site, engine=demo_engine(small_site))

    content.refresh_from_db()
    assert content.status == "review" and run.stage_result(7)["ready_for_review"] == 1


def test_with_images_on_the_estimate_prices_the_image_stages(small_site):
    add_keywords(small_site, 6)
    estimate = AutomationService.estimate_credits(small_site)
    by_stage = {row["stage"]: row for row in estimate["breakdown"]}
    assert estimate["images_off"] == "" and by_stage[6]["items"] > 0 and by_stage[6]["credits"] > 0
