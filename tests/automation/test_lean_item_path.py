"""The AI stages' per-item path stays lean: at most 10 SQL queries per item in every AI stage,
and the same count whatever other sites hold (the pending queues are indexed per site)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from igny8_core.accounts.models import Account, Site
from igny8_core.automation.service import AutomationService
from igny8_core.automation.stages import STAGES
from igny8_core.planner.models import Keywords

from .helpers import add_keywords, demo_engine, fast_config, grant

MAX_QUERIES_PER_ITEM = 10
KEYWORDS = 40  # enough items that a stage's fixed queries (its start, count and end) weigh little
AI_STAGES = [stage.number for stage in STAGES if stage.kind == "AI"]


def other_site_with_keywords(name: str, count: int) -> None:
    """Another account's site holding `count` unclustered keywords (what the queues must skip)."""
    account = Account.objects.create(name=name)
    site = Site.objects.create(account=account, name=name, domain=f"{name}.example.com")
    Keywords.objects.bulk_create(
        Keywords(account=account, site=site, keyword=f"other keyword {n}", volume=10) for n in range(count)
    )


def _is_savepoint(sql: str) -> bool:
    return sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))


def queries_per_item(name: str) -> dict[int, float]:
    """Runs a fresh KEYWORDS-keyword site through the pipeline (demo provider, one batch at a time, in
    this thread) and returns {AI stage: SQL queries per item}."""
    account = Account.objects.create(name=name)
    grant(account, 100000)
    site = Site.objects.create(account=account, name=name, domain=f"{name}.example.com")
    add_keywords(site, KEYWORDS)
    fast_config(site)
    figures: dict[int, float] = {}

    class Counted(AutomationService):
        def run_stage(self, number):
            with CaptureQueriesContext(connection) as queries:
                outcome = super().run_stage(number)
            if number in AI_STAGES and outcome.get("items_requested"):
                # Inside the test's transaction each item's transaction is a savepoint (two more
                # statements); in a worker it is BEGIN / COMMIT, which are not statements here.
                statements = [q for q in queries.captured_queries if not _is_savepoint(q["sql"])]
                figures[number] = len(statements) / outcome["items_requested"]
            return outcome

    run = AutomationService.start_automation(site)
    service = Counted.claim_run(run.run_id, run.epoch, engine=demo_engine(site))
    assert service.execute() == "completed"
    return figures


@pytest.mark.django_db
def test_ai_stages_take_at_most_ten_queries_per_item_whatever_other_sites_hold():
    other_site_with_keywords("small-neighbour", 1_000)
    small = queries_per_item("small")
    other_site_with_keywords("large-neighbour", 19_000)
    large = queries_per_item("large")

    assert sorted(small) == sorted(large) == AI_STAGES  # every AI stage had items
    for number in AI_STAGES:
        assert small[number] <= MAX_QUERIES_PER_ITEM, (number, small)
        assert large[number] <= MAX_QUERIES_PER_ITEM, (number, large)
        assert abs(large[number] - small[number]) < 0.5, (number, small, large)
