"""The batch loop, run in-process on the real AI engine (demo provider) and real PostgreSQL.

These call the same code the Celery task calls (claim the run, execute); the worker tests in
test_worker.py run it through a real Celery worker.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum

from igny8_core.ai.models import ItemFailure
from igny8_core.automation import executor as executor_module
from igny8_core.automation.logger import RunLogger
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.service import AutomationService
from igny8_core.billing.models import CreditTransaction
from igny8_core.billing.services import CreditService
from igny8_core.planner.models import Clusters, ContentIdeas, Keywords
from igny8_core.writer.models import Content, Images, Tasks

from .helpers import EngineSpy, add_keywords, demo_engine, fast_config, grant, start_and_execute

pytestmark = pytest.mark.django_db

STAGE_OPERATION = {
    1: "clustering",
    2: "idea_generation",
    4: "content_generation",
    5: "image_prompt_extraction",
    6: "image_generation",
}


def deductions(account, operation=None) -> Decimal:
    rows = CreditTransaction.objects.filter(account=account, transaction_type="deduction")
    if operation:
        rows = rows.filter(operation=operation)
    return -(rows.aggregate(total=Sum("amount"))["total"] or Decimal("0"))


def assert_results_match_database(run: AutomationRun) -> None:
    site = run.site
    s1, s2, s3, s4, s5, s6, s7 = (run.stage_result(n) for n in range(1, 8))
    assert s1["keywords_processed"] == Keywords.objects.filter(site=site, status="mapped").count()
    assert s1["clusters_created"] == Clusters.objects.filter(site=site).count() > 0
    assert s2["clusters_processed"] == Clusters.objects.filter(site=site, status="mapped").count()
    assert s2["ideas_created"] == ContentIdeas.objects.filter(site=site).count() > 0
    assert s3["ideas_processed"] == s3["tasks_created"] == Tasks.objects.filter(site=site).count()
    assert s4["tasks_processed"] == s4["content_created"] == Content.objects.filter(site=site).count()
    assert s4["total_words"] == Content.objects.filter(site=site).aggregate(w=Sum("word_count"))["w"] > 0
    assert s5["content_processed"] == Content.objects.filter(site=site).count()
    assert s5["prompts_created"] == Images.objects.filter(site=site).count()
    assert (
        s6["images_processed"] == s6["images_generated"] == Images.objects.filter(site=site, status="generated").count()
    )
    assert s7["ready_for_review"] == Content.objects.filter(site=site, status="review").count() == s4["content_created"]
    for number, operation in STAGE_OPERATION.items():
        assert Decimal(run.stage_result(number)["credits_used"]) == deductions(run.account, operation), number
    assert run.total_credits_used == deductions(run.account)
    assert all(run.stage_result(n)["items_failed"] == 0 for n in range(1, 7))


def test_full_run_every_stage_result_matches_the_database(small_site, alice_account):
    add_keywords(small_site, 12)
    fast_config(small_site)
    balance_before = CreditService.balance(alice_account)

    run = start_and_execute(small_site, engine=demo_engine(small_site))

    assert run.status == RunStatus.COMPLETED, run.error_message
    assert run.current_stage == 7 and run.completed_at is not None
    assert_results_match_database(run)
    assert [run.stage_result(n)["status"] for n in range(1, 8)] == ["completed"] * 7
    assert run.initial_snapshot["stage_1_initial"] == 12 and run.initial_snapshot["total_initial_items"] == 12
    assert CreditService.balance(alice_account) == balance_before - run.total_credits_used
    progress = AutomationService.run_progress(run)
    assert progress["global_progress"]["percentage"] == 100
    assert progress["stages"][0]["input_count"] == progress["stages"][0]["processed_count"] == 12
    log = RunLogger(run).tail(500)
    assert "Run completed" in log and "Stage 4 (Tasks → Content) completed" in log
    assert "Batch 1/1: 12 items, 12 done" in RunLogger(run).tail(50, stage=1)


def test_nothing_pending_every_stage_skipped(alice_site):
    fast_config(alice_site)
    run = start_and_execute(alice_site, engine=demo_engine(alice_site))
    assert run.status == RunStatus.COMPLETED
    for n in range(1, 7):
        assert run.stage_result(n)["status"] == "skipped" and run.stage_result(n)["skipped"] is True
        assert run.stage_result(n)["reason"] == "Nothing to process."
    assert run.stage_result(7)["ready_for_review"] == 0
    assert run.total_credits_used == 0


def test_per_run_limits_leave_the_rest_for_the_next_run(alice_site):
    add_keywords(alice_site, 30)
    fast_config(
        alice_site, max_keywords_per_run=12, stage_1_batch_size=5, **{f"stage_{n}_enabled": False for n in range(2, 8)}
    )
    run = start_and_execute(alice_site, engine=demo_engine(alice_site))

    s1 = run.stage_result(1)
    assert s1["status"] == "partial" and s1["partial"] is True
    assert s1["reason"] == "Per-run limit of 12 reached."
    assert s1["keywords_processed"] == 12 and s1["batches_run"] == 3  # 5 + 5 + 2
    assert Keywords.objects.filter(site=alice_site, status="mapped").count() == 12
    assert run.status == RunStatus.COMPLETED

    second = start_and_execute(alice_site, engine=demo_engine(alice_site))
    assert second.stage_result(1)["keywords_processed"] == 12
    third = start_and_execute(alice_site, engine=demo_engine(alice_site))
    assert third.stage_result(1)["keywords_processed"] == 6 and third.stage_result(1)["status"] == "completed"
    assert Keywords.objects.filter(site=alice_site, status="new").count() == 0


def test_limits_of_every_stage(small_site):
    add_keywords(small_site, 18)  # one batch of 18 -> 4 clusters with the demo provider
    fast_config(
        small_site,
        max_clusters_per_run=2,
        max_ideas_per_run=3,
        max_tasks_per_run=2,
        max_content_per_run=1,
        max_images_per_run=1,
    )
    run = start_and_execute(small_site, engine=demo_engine(small_site))
    assert run.status == RunStatus.COMPLETED
    assert run.stage_result(2)["clusters_processed"] == 2
    assert run.stage_result(3)["ideas_processed"] == 3
    assert run.stage_result(4)["tasks_processed"] == 2
    assert run.stage_result(5)["content_processed"] == 1
    assert run.stage_result(6)["images_processed"] == 1
    assert Content.objects.filter(site=small_site).count() == 2
    assert Images.objects.filter(site=small_site, status="generated").count() == 1
    for n in (2, 3, 4, 5, 6):
        assert run.stage_result(n)["status"] == "partial", n


def test_stage_toggles_skip_disabled_stages_and_log_it(alice_site):
    add_keywords(alice_site, 6)
    fast_config(alice_site, stage_2_enabled=False, stage_4_enabled=False)
    run = start_and_execute(alice_site, engine=demo_engine(alice_site))
    assert run.stage_result(1)["status"] == "completed"
    assert run.stage_result(2) | {} and run.stage_result(2)["status"] == "skipped"
    assert run.stage_result(2)["reason"] == "Stage disabled in the configuration."
    assert ContentIdeas.objects.filter(site=alice_site).count() == 0
    assert run.stage_result(3)["status"] == "skipped"  # nothing reached it
    assert "Stage 2 (Clusters → Ideas) skipped: disabled." in RunLogger(run).tail(100)
    assert run.status == RunStatus.COMPLETED


def test_batch_size_is_capped_by_the_function_maximum(alice_site):
    add_keywords(alice_site, 25)
    fast_config(alice_site, stage_1_batch_size=100, **{f"stage_{n}_enabled": False for n in range(2, 8)})
    spy = EngineSpy(demo_engine(alice_site))
    run = start_and_execute(alice_site, engine=spy)
    assert [len(ids) for _, ids in spy.calls] == [20, 5]  # auto_cluster takes at most 20
    assert run.stage_result(1)["keywords_processed"] == 25


def test_delays_between_batches_and_between_stages(alice_site, monkeypatch):
    add_keywords(alice_site, 10)
    fast_config(
        alice_site,
        stage_1_batch_size=5,
        within_stage_delay=2,
        between_stage_delay=3,
        **{f"stage_{n}_enabled": False for n in range(3, 8)},
    )
    slept, clock = [], [1000.0]

    def fake_sleep(seconds):  # a clock that only moves when the loop sleeps
        slept.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(executor_module.time, "sleep", fake_sleep)
    monkeypatch.setattr(executor_module.time, "monotonic", lambda: clock[0])
    spy = EngineSpy(demo_engine(alice_site))
    run = start_and_execute(alice_site, engine=spy)
    assert run.status == RunStatus.COMPLETED
    stage_2_batches = run.stage_result(2)["batches_run"]
    # stage 1: 2 batches -> one within-stage delay (2 s); stage 1 -> 2: between-stage delay (3 s);
    # stage 2: one delay between each of its batches; no delay after the last stage that worked.
    assert stage_2_batches >= 2
    assert sum(slept) == pytest.approx(2 + 3 + 2 * (stage_2_batches - 1) + 3)
    assert max(slept) <= 1.0  # sliced, so a pause or cancel is seen within a second


def test_failed_items_are_counted_never_retried_in_the_same_run_and_retried_by_the_next(small_site):
    from igny8_core.ai.exceptions import MalformedOutput
    from igny8_core.ai.providers.demo import DemoProvider

    class OneBadArticle(DemoProvider):
        failed = 0

        def complete_json(self, messages, schema, schema_name="", **kwargs):
            if schema_name == "article" and not OneBadArticle.failed:
                OneBadArticle.failed += 1
                raise MalformedOutput("model answered garbage twice")
            return super().complete_json(messages, schema, schema_name=schema_name, **kwargs)

    add_keywords(small_site, 6)
    fast_config(small_site)
    run = start_and_execute(small_site, engine=demo_engine(small_site, provider=OneBadArticle(image_size="240x135")))
    s4 = run.stage_result(4)
    assert run.status == RunStatus.COMPLETED
    assert s4["items_failed"] == 1 and "garbage" in s4["failed_items"][0]["error"]
    assert s4["content_created"] == Tasks.objects.filter(site=small_site).count() - 1
    failed_task = Tasks.objects.get(site=small_site, content__isnull=True)
    assert failed_task.status == "queued"  # attempts left: waiting for the next run
    failure = ItemFailure.objects.get(function="generate_content", item_id=failed_task.pk)
    assert (failure.attempts, failure.code, failure.run_id) == (1, "malformed_output", run.pk)
    assert "failed: model answered garbage" in RunLogger(run).tail(300, stage=4)

    again = start_and_execute(small_site, engine=demo_engine(small_site, provider=OneBadArticle(image_size="240x135")))
    assert again.status == RunStatus.COMPLETED and again.stage_result(4)["content_created"] == 1
    assert Content.objects.filter(task=failed_task).exists()
    assert not ItemFailure.objects.filter(item_id=failed_task.pk, function="generate_content").exists()


def test_an_item_out_of_attempts_waits_for_the_user(small_site, settings):
    from igny8_core.ai.exceptions import MalformedOutput
    from igny8_core.ai.providers.demo import DemoProvider

    settings.AI_MAX_ITEM_ATTEMPTS = 2

    class NoArticles(DemoProvider):
        def complete_json(self, messages, schema, schema_name="", **kwargs):
            if schema_name == "article":
                raise MalformedOutput("model answered garbage twice")
            return super().complete_json(messages, schema, schema_name=schema_name, **kwargs)

    add_keywords(small_site, 3)
    fast_config(small_site, stage_5_enabled=False, stage_6_enabled=False)
    engine = demo_engine(small_site, provider=NoArticles(image_size="240x135"))
    first = start_and_execute(small_site, engine=engine)
    tasks = Tasks.objects.filter(site=small_site)
    assert first.stage_result(4)["items_failed"] == tasks.count() > 0
    assert set(tasks.values_list("status", flat=True)) == {"queued"}

    second = start_and_execute(small_site, engine=engine)
    assert second.stage_result(4)["items_failed"] == tasks.count()
    assert set(tasks.values_list("status", flat=True)) == {"failed"}  # out of attempts

    third = start_and_execute(small_site, engine=engine)
    assert third.stage_result(4)["status"] == "skipped"  # nothing pending: they wait for the user
    assert set(ItemFailure.objects.filter(function="generate_content").values_list("attempts", flat=True)) == {2}


def test_out_of_credits_mid_run_stops_cleanly(small_site, alice_account):
    add_keywords(small_site, 8)
    fast_config(small_site)

    def spend_everything(name, ids, calls):
        if name == "generate_content" and sum(1 for n, _ in calls if n == name) == 2:
            # Something else spends the balance while the run is between items.
            CreditService.deduct(
                alice_account, CreditService.balance(alice_account) - Decimal("1"), "content_generation"
            )

    run = start_and_execute(small_site, engine=EngineSpy(demo_engine(small_site), spend_everything))

    assert run.status == RunStatus.FAILED
    assert run.stopped_reason.startswith("Out of credits at stage 4 (Tasks → Content)")
    assert run.stage_result(4)["status"] == "partial" and run.stage_result(4)["content_created"] == 1
    assert CreditService.balance(alice_account) == Decimal("1.00")  # never negative
    assert Content.objects.filter(site=small_site).count() == 1
    assert Tasks.objects.filter(site=small_site, status="queued").count() >= 1  # left for the next run
    assert not run.stage_result(5)  # stages after it never started
    assert "Out of credits" in RunLogger(run).tail(20)

    grant(alice_account, 1000)
    second = start_and_execute(small_site, engine=demo_engine(small_site))
    assert second.status == RunStatus.COMPLETED
    assert Tasks.objects.filter(site=small_site, status="queued").count() == 0
    assert Content.objects.filter(site=small_site).count() == Tasks.objects.filter(site=small_site).count()


def test_exhausted_budget_share_ends_the_stage_partial_and_the_pipeline_goes_on(alice_site):
    add_keywords(alice_site, 30)
    # A 20-credit run budget: clustering may spend 15% = 3.00 (1 credit per 5 keywords).
    fast_config(
        alice_site,
        stage_1_batch_size=5,
        max_credits_per_run=Decimal("20"),
        **{f"stage_{n}_enabled": False for n in range(4, 8)},
    )
    run = start_and_execute(alice_site, engine=demo_engine(alice_site))

    s1, s2 = run.stage_result(1), run.stage_result(2)
    assert s1["status"] == "partial" and "credit budget share of clustering (3.00 of 20" in s1["reason"]
    assert s1["keywords_processed"] == 15 and Decimal(s1["credits_used"]) == Decimal("3.00")
    assert s2["batches_run"] == 1 and Decimal(s2["credits_used"]) == Decimal("2.00")  # 10% = 2.00
    assert s2["status"] == "partial"
    assert run.stage_result(3)["status"] == "completed"  # local stage: no budget
    assert run.status == RunStatus.COMPLETED
    assert run.total_credits_used <= Decimal("20")


def test_start_requires_1_2_times_the_estimate(alice_site, alice_account):
    from igny8_core.automation.service import InsufficientCreditsForRun

    add_keywords(alice_site, 20)
    fast_config(alice_site)
    estimate = AutomationService.estimate_credits(alice_site)
    assert estimate["required"] == (estimate["estimated_credits"] * Decimal("1.2")).quantize(Decimal("0.01"))
    CreditService.deduct(
        alice_account, CreditService.balance(alice_account) - estimate["required"] + Decimal("0.01"), "clustering"
    )
    with pytest.raises(InsufficientCreditsForRun) as info:
        AutomationService.start_automation(alice_site)
    assert info.value.estimate == estimate["estimated_credits"] and info.value.required == estimate["required"]
    assert not AutomationRun.objects.filter(site=alice_site).exists()
    grant(alice_account, Decimal("0.01"))
    assert AutomationService.start_automation(alice_site).status == RunStatus.RUNNING


def test_max_credits_per_run_caps_what_the_start_requires(alice_site, alice_account):
    add_keywords(alice_site, 20)
    fast_config(alice_site, max_credits_per_run=Decimal("5"))
    CreditService.deduct(alice_account, CreditService.balance(alice_account) - Decimal("5"), "clustering")
    estimate = AutomationService.estimate_credits(alice_site)
    assert estimate["estimated_credits"] > 5 and estimate["required"] == Decimal("5") and estimate["sufficient"]
    assert AutomationService.start_automation(alice_site).status == RunStatus.RUNNING


def test_estimate_breakdown_projects_downstream_items(alice_site):
    add_keywords(alice_site, 30)
    fast_config(alice_site, max_tasks_per_run=4)
    estimate = AutomationService.estimate_credits(alice_site)
    items = {row["stage"]: row["items"] for row in estimate["breakdown"]}
    credits = {row["stage"]: row["credits"] for row in estimate["breakdown"]}
    ratios = estimate["ratios"]  # a new site: the default cluster factor, ideas and words per article
    clusters = round(ratios["projected_clusters"] * ratios["cluster_factor"]["value"])
    assert items[1] == 30 and items[2] == clusters and items[4] == 4  # the task limit
    assert credits[1] == Decimal("6.00") and credits[2] == Decimal("2.00") * clusters
    assert credits[4] == Decimal("12.00")  # 4 articles of 1500 words, 3 blocks of 500 each
    assert estimate["estimated_credits"] == sum(credits.values())
    assert estimate["sufficient"] is True and estimate["allocation"]["clustering"] is None  # no run budget


def test_pipeline_overview_counts_every_queue(alice_site):
    add_keywords(alice_site, 7)
    Keywords.objects.filter(site=alice_site).filter(pk__in=Keywords.objects.filter(site=alice_site)[:2]).update(
        disabled=True
    )
    overview = AutomationService.pipeline_overview(alice_site)
    assert [s["number"] for s in overview] == list(range(1, 8))
    assert overview[0] == {"number": 1, "name": "Keywords → Clusters", "type": "AI", "pending": 5}
    assert [s["type"] for s in overview] == ["AI", "AI", "Local", "AI", "AI", "AI", "Manual"]


def test_soft_time_limit_fails_the_run_cleanly_and_releases_the_lock(alice_site):
    from celery.exceptions import SoftTimeLimitExceeded

    from igny8_core.automation import lock as site_lock

    add_keywords(alice_site, 6)
    fast_config(alice_site)

    def time_is_up(name, ids, calls):
        if name == "generate_ideas":
            raise SoftTimeLimitExceeded()

    run = start_and_execute(alice_site, engine=EngineSpy(demo_engine(alice_site), time_is_up))
    assert run.status == RunStatus.FAILED and "time limit" in run.stopped_reason
    assert run.stage_result(1)["status"] == "completed" and run.current_stage == 2
    assert site_lock.holder(alice_site.pk) is None


class CountingEngine:
    """No AI and no DB work of its own: isolates the loop's own queries per batch."""

    def estimate(self, name, ids):
        return Decimal("0")

    def for_run(self, run_pk):
        return self

    def selection(self, name, queryset):
        return queryset

    def run(self, name, ids, should_stop=None, rows=None, signals=None):
        from igny8_core.ai.engine import AIResult

        ContentIdeas.objects.filter(pk__in=ids).update(status="queued")
        return AIResult(
            function=name,
            items_requested=len(ids),
            items_processed=len(ids),
            stats={"ideas_processed": len(ids), "tasks_created": 0},
        )


@pytest.mark.parametrize("ideas", [10, 20])
def test_the_loop_costs_a_constant_number_of_queries_per_batch(alice_site, ideas, django_assert_max_num_queries):
    ContentIdeas.objects.bulk_create(
        ContentIdeas(account_id=alice_site.account_id, site=alice_site, idea_title=f"idea {n}") for n in range(ideas)
    )
    fast_config(alice_site, stage_3_batch_size=1)
    run = AutomationService.start_automation(alice_site)
    AutomationRun.objects.filter(pk=run.pk).update(current_stage=3)
    service = AutomationService.claim_run(run.run_id, run.epoch, engine=CountingEngine())
    # per batch: status check, select, "processing" write, engine (1 here), still-pending check,
    # the run's credits from the ledger, tally write, "more?" check = 8; plus 7 for the stage
    # start and end (their tally writes read the ledger too).
    with django_assert_max_num_queries(8 * ideas + 7):
        service.run_stage(3)
    assert service.run.stage_result(3)["ideas_processed"] == ideas


def test_items_deleted_while_selected_do_not_fail_the_run(alice_site):
    add_keywords(alice_site, 30)
    fast_config(alice_site, **{f"stage_{n}_enabled": False for n in range(2, 8)})

    def user_deletes_a_keyword(name, ids, calls):
        if len(calls) == 1:
            Keywords.objects.filter(pk=ids[-1]).delete()

    run = start_and_execute(alice_site, engine=EngineSpy(demo_engine(alice_site), user_deletes_a_keyword))
    s1 = run.stage_result(1)
    assert run.status == RunStatus.COMPLETED
    assert s1["items_failed"] == 0 and s1["keywords_processed"] == 29  # the batch was selected again
    assert Keywords.objects.filter(site=alice_site, status="new").count() == 0
    assert "Batch 1 refused: No keyword with id" in RunLogger(run).tail(50, stage=1)


def test_a_batch_refused_twice_is_counted_failed_and_the_loop_ends(alice_site):
    from igny8_core.ai.exceptions import InvalidInput

    add_keywords(alice_site, 25)
    fast_config(alice_site, **{f"stage_{n}_enabled": False for n in range(2, 8)})

    def always_refuse(name, ids, calls):
        raise InvalidInput("ids not of this site")

    spy = EngineSpy(demo_engine(alice_site), always_refuse)
    run = start_and_execute(alice_site, engine=spy)
    s1 = run.stage_result(1)
    assert run.status == RunStatus.COMPLETED
    assert len(spy.calls) == 4  # each of the two batches: tried, selected again, tried once more
    assert s1["items_failed"] == 25 and s1["keywords_processed"] == 0
