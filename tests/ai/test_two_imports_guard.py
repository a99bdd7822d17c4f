"""Two keyword imports through the openai provider (the real SDK against the local fake
server): the second import's near-duplicate keywords are reported, and the idea the model
proposes for an intent the first import already covers is skipped, reported in stage 2's
result and named, with the existing idea, in the run log."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from igny8_core.automation.models import AutomationConfig, RunStatus
from igny8_core.automation.service import AutomationService
from igny8_core.planner.csv_import import import_keywords
from igny8_core.planner.models import ContentIdeas, Keywords

from .fake_openai import CHAT, FakeOpenAI, chat_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    server = FakeOpenAI().start()
    settings.IGNY8_AI_PROVIDER = "openai"
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = server.base_url, "test-key"
    settings.OPENAI_MAX_RETRIES, settings.OPENAI_TIMEOUT = 0, 10
    yield server
    server.stop()


def csv(*rows):
    text = "keyword,volume\n" + "".join(f"{keyword},{volume}\n" for keyword, volume in rows)
    return SimpleUploadedFile("keywords.csv", text.encode(), content_type="text/csv")


def run_planning(site):
    """Stages 1-3 only (clusters, ideas, tasks), exactly as the worker runs them."""
    config = AutomationConfig.for_site(site)
    config.within_stage_delay = config.between_stage_delay = 0
    config.max_concurrency = 1  # batches in this thread: they see the test's transaction
    for n in (4, 5, 6, 7):
        setattr(config, f"stage_{n}_enabled", False)
    config.save()
    run = AutomationService.start_automation(site)
    service = AutomationService.claim_run(run.run_id, run.epoch)
    service.execute()
    run.refresh_from_db()
    assert run.status == RunStatus.COMPLETED
    return run


def test_second_import_near_duplicates_are_reported_and_their_idea_skipped(fake, site, settings, tmp_path):
    settings.IGNY8_LOG_ROOT = tmp_path
    first = import_keywords(site, csv(("best espresso machine", 9000), ("espresso machine under 500", 4000)))
    assert first.created == 2 and first.near_duplicates == []
    run_planning(site)  # the fake server answers like the demo model: one cluster, two ideas
    existing = ContentIdeas.objects.get(site=site, target_keywords__0="best espresso machine")

    second = import_keywords(site, csv(("best espresso machines 2026", 8000), ("espresso machine cleaning", 900)))
    assert second.created == 2
    assert second.near_duplicates == [{"keyword": "best espresso machines 2026", "existing": "best espresso machine"}]
    new_ids = list(Keywords.objects.filter(site=site, status="new").order_by("id").values_list("id", flat=True))
    # The model puts the new keywords into a new cluster and proposes an article for each.
    fake.script(
        CHAT,
        chat_reply(
            json.dumps(
                {
                    "clusters": [
                        {
                            "name": "Espresso Machines 2026",
                            "description": "This year's machines.",
                            "keyword_ids": new_ids,
                        }
                    ]
                }
            )
        ),
        chat_reply(
            json.dumps(
                {
                    "ideas": [
                        {
                            "title": "The Best Espresso Machines of 2026",
                            "description": "Tested and ranked.",
                            "content_type": "post",
                            "content_structure": "listicle",
                            "target_keywords": ["best espresso machines 2026"],
                            "outline": {"sections": [], "faq": []},
                        },
                        {
                            "title": "How to Clean an Espresso Machine",
                            "description": "Weekly and monthly care.",
                            "content_type": "post",
                            "content_structure": "how_to",
                            "target_keywords": ["espresso machine cleaning"],
                            "outline": {"sections": [], "faq": []},
                        },
                    ]
                }
            )
        ),
    )

    run = run_planning(site)

    stage_2 = run.stage_result(2)
    assert stage_2["ideas_created"] == 1 and stage_2["duplicates_skipped"] == 1
    assert not ContentIdeas.objects.filter(idea_title="The Best Espresso Machines of 2026").exists()
    assert ContentIdeas.objects.filter(idea_title="How to Clean an Espresso Machine").exists()
    log = next(tmp_path.rglob(f"{run.run_id}/automation_run.log")).read_text()
    assert (
        f'Skipped idea "The Best Espresso Machines of 2026": same search intent as idea {existing.pk} '
        f'"{existing.idea_title}" (similarity 100 ≥ 85).'
    ) in log
