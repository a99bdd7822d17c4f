"""Within-stage concurrency through a real Celery worker, the real engine and the real `openai`
SDK against the local fake server answering after a fixed latency: up to max_concurrency
items in flight, each saved and charged exactly once; pause and cancel start no new item and
record the ones in flight; per-run limits and credit budgets hold with batches in flight."""

import time
from decimal import Decimal

import pytest
from ai.fake_openai import CHAT, FakeOpenAI
from celery_support import running_worker

from igny8_core.ai.functions import get_function
from igny8_core.automation import lock as site_lock
from igny8_core.automation.executor import TALLY_LAG
from igny8_core.automation.models import AutomationRun, RunStatus
from igny8_core.automation.service import AutomationService
from igny8_core.billing.models import CreditTransaction
from igny8_core.planner.models import Clusters
from igny8_core.writer.models import Content, Tasks

from .helpers import EngineSpy, add_keywords, demo_engine, execute, fast_config, grant, use_fake_openai

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class SlowServer(FakeOpenAI):
    """Answers every request correctly after `latency` seconds, like a real provider."""

    latency = 0.5

    def _default(self, path, body):
        reply = super()._default(path, body)
        reply.delay = self.latency
        return reply


@pytest.fixture
def server(settings):
    fake = SlowServer().start()
    use_fake_openai(settings, fake)
    settings.OPENAI_MAX_RETRIES = 0
    yield fake
    fake.stop()


@pytest.fixture
def worker(server):
    with running_worker() as celery_worker:
        yield celery_worker


def articles_only(site, **config):
    """Eight queued tasks; only stage 4 (one article per AI call) runs."""
    for n in range(8):
        Tasks.objects.create(site=site, title=f"Cold brew guide {n}", keywords=["cold brew"], description="How.")
    enabled = {f"stage_{n}_enabled": n == 4 for n in range(1, 8)}
    return fast_config(site, **{"max_concurrency": 4, **enabled, **config})


def wait_for(predicate, timeout=60.0, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


def stopped(run):
    """The worker is done with the run: final, or paused with nothing in flight any more."""
    run.refresh_from_db()
    return run.status != RunStatus.RUNNING and site_lock.holder(run.site_id) is None


def in_flight_peak(calls, latency):
    """The most requests the server had open at once (each is open for `latency` seconds)."""
    starts = sorted(call.at for call in calls)
    return max(sum(1 for other in starts if start <= other < start + latency * 0.9) for start in starts)


def charged_once_each(site):
    contents = list(Content.objects.filter(site=site).values_list("pk", flat=True))
    charges = CreditTransaction.objects.filter(account=site.account, operation="content_generation")
    keys = [charge.idempotency_key for charge in charges]
    assert len(keys) == len(set(keys)) == len(contents)
    assert sorted(charge.metadata["created"][0] for charge in charges) == sorted(contents)
    return len(contents)


def test_up_to_max_concurrency_items_in_flight_each_saved_and_charged_once(worker, server, small_site):
    articles_only(small_site)
    run = AutomationService.start_automation(small_site)
    wait_for(lambda: stopped(run), message="the run to finish")

    assert run.status == RunStatus.COMPLETED, run.error_message
    calls = server.calls(CHAT)
    assert len(calls) == 8 and in_flight_peak(calls, server.latency) == 4
    assert charged_once_each(small_site) == 8
    result = run.stage_result(4)
    assert (result["tasks_processed"], result["content_created"], result["items_failed"]) == (8, 8, 0)
    spent = CreditTransaction.objects.filter(account=small_site.account, transaction_type="deduction")
    assert run.total_credits_used == -sum(t.amount for t in spent) == Decimal(result["credits_used"])


@pytest.mark.parametrize("stop", [AutomationService.pause, AutomationService.cancel])
def test_pause_and_cancel_start_no_new_item_and_record_those_in_flight(worker, server, small_site, stop):
    server.latency = 1.5
    articles_only(small_site)
    run = AutomationService.start_automation(small_site)
    wait_for(lambda: len(server.calls(CHAT)) >= 4, message="four requests in flight")
    stop(run)
    # Cancel releases the site lock at once; the worker still records the items in flight.
    wait_for(lambda: stopped(run) and run.stage_result(4).get("tasks_processed") == 4, message="the four recorded")
    time.sleep(server.latency)  # a request launched after the stop would have arrived by now

    assert len(server.calls(CHAT)) == 4  # the four in flight, nothing started after the stop
    assert charged_once_each(small_site) == 4
    assert Tasks.objects.filter(site=small_site, status=Tasks.Status.QUEUED).count() == 4
    run.refresh_from_db()
    assert run.status == (RunStatus.PAUSED if stop == AutomationService.pause else RunStatus.CANCELLED)
    result = run.stage_result(4)
    assert (result["tasks_processed"], result["content_created"]) == (4, 4)
    assert run.total_credits_used == Decimal(result["credits_used"]) > 0
    assert run.current_processing is None


def test_per_run_limit_with_batches_in_flight(worker, server, small_site):
    articles_only(small_site, max_tasks_per_run=3)
    run = AutomationService.start_automation(small_site)
    wait_for(lambda: stopped(run), message="the run to finish")

    assert run.status == RunStatus.COMPLETED, run.error_message
    assert len(server.calls(CHAT)) == 3 and charged_once_each(small_site) == 3
    assert run.stage_result(4)["status"] == "partial"


def test_credit_budget_is_reserved_before_launch(worker, server, small_site):
    articles_only(small_site)
    # What the engine reserves for one article before launching it: its upper bound (the run
    # estimate prices articles at the site's expected length, lower).
    one = get_function("generate_content").price(1, small_site)
    budget = (one * Decimal("2.5")).quantize(Decimal("0.01"))  # two and a half articles' reservations
    fast_config(small_site, max_concurrency=4, max_credits_per_run=budget)
    run = AutomationService.start_automation(small_site)
    wait_for(lambda: stopped(run), message="the run to finish")

    assert run.status == RunStatus.COMPLETED, run.error_message
    assert 0 < run.total_credits_used <= budget
    # Two estimates fit at once, never a third while they are in flight.
    assert in_flight_peak(server.calls(CHAT), server.latency) <= 2
    assert run.stage_result(4)["status"] == "partial"


def test_a_wave_of_batches_starts_after_one_write_naming_them_all(small_site):
    """The free slots are filled with one select and one fenced write: when the first batch of
    a stage starts, "currently processing" already lists every batch launched with it."""
    articles_only(small_site)
    grant(small_site.account, 1000)
    seen: list[int] = []

    def look_at_the_run(name, ids, calls):
        current = AutomationRun.objects.get(pk=run.pk).current_processing or {}
        seen.append(len(current.get("items", [])))

    run = AutomationService.start_automation(small_site)
    assert execute(run, EngineSpy(demo_engine(small_site), look_at_the_run)) == RunStatus.COMPLETED
    assert len(seen) == 8 and seen[0] == 4  # the first wave: four batches of one article
    assert Content.objects.filter(site=small_site).count() == 8


def test_at_concurrency_1_the_next_request_leaves_while_the_last_answer_is_saved(worker, server, small_site):
    """max_concurrency bounds the requests the provider has open: at 1 it never has two, but
    the next request does not wait for the previous item's saving and recording; the stage's
    tally follows within TALLY_LAG even while the next request is out."""
    server.latency = 3 * TALLY_LAG
    articles_only(small_site, max_concurrency=1)
    run = AutomationService.start_automation(small_site)
    wait_for(lambda: Content.objects.filter(site=small_site).exists(), message="the first article")
    wait_for(lambda: len(server.calls(CHAT)) == 2, message="the second request")

    def first_tally_or_second_article():
        tally = AutomationRun.objects.get(pk=run.pk).stage_result(4).get("tasks_processed")
        return tally == 1 or Content.objects.filter(site=small_site).count() == 2

    wait_for(first_tally_or_second_article, message="the first article's tally")
    # The tally of the first article was written while the second request was still out.
    assert Content.objects.filter(site=small_site).count() == 1
    AutomationService.pause(run)
    wait_for(lambda: stopped(run) and run.stage_result(4).get("tasks_processed") == 2, message="the second recorded")
    time.sleep(server.latency)  # a request launched after the pause would have arrived by now

    calls = server.calls(CHAT)
    assert len(calls) == 2 and in_flight_peak(calls, server.latency) == 1
    assert charged_once_each(small_site) == 2
    assert run.status == RunStatus.PAUSED


def test_an_answer_is_saved_while_the_next_request_is_out(server, small_site):
    """The order of events at concurrency 1, in this process (pool threads, the real engine and
    SDK): each request but the first leaves before the previous article's save has ended."""
    from igny8_core.ai.engine import AIEngine

    server.latency = 0.3
    articles_only(small_site, max_concurrency=1)
    grant(small_site.account, 1000)
    saves: list[tuple[float, float]] = []

    class SlowSaving(AIEngine):
        def _commit(self, *args):
            started = time.monotonic()
            time.sleep(0.2)  # a slow database
            try:
                return super()._commit(*args)
            finally:
                saves.append((started, time.monotonic()))

    run = AutomationService.start_automation(small_site)
    assert execute(run, SlowSaving(small_site.account, small_site)) == RunStatus.COMPLETED

    requests = sorted(call.at for call in server.calls(CHAT))
    assert len(requests) == len(saves) == 8 and in_flight_peak(server.calls(CHAT), server.latency) == 1
    assert all(request < save_ended for request, (_, save_ended) in zip(requests[1:], saves, strict=False))
    assert charged_once_each(small_site) == 8


def test_once_the_queue_runs_dry_the_loop_selects_no_more(small_site):
    """The loop's select of its next batch: one per launch, plus the one that finds the queue
    dry - not one more for every batch answering or finishing at the stage's end."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    articles_only(small_site)
    grant(small_site.account, 1000)
    run = AutomationService.start_automation(small_site)
    with CaptureQueriesContext(connection) as loop:  # the loop's connection only: batches run in threads
        assert execute(run, demo_engine(small_site)) == RunStatus.COMPLETED
    selects = [q["sql"] for q in loop.captured_queries if "_account_balance" in q["sql"]]
    assert Content.objects.filter(site=small_site).count() == 8
    assert 2 <= len(selects) <= 8 + 1


def test_one_pool_of_threads_serves_every_stage_of_a_session_and_is_closed_with_it(small_site):
    import threading

    articles_only(small_site, max_concurrency=2, stage_5_enabled=True, stage_6_enabled=True, max_images_per_run=1)
    grant(small_site.account, 1000)
    threads: dict[str, set[threading.Thread]] = {}

    def note_the_thread(name, ids, calls):
        threads.setdefault(name, set()).add(threading.current_thread())

    run = AutomationService.start_automation(small_site)
    assert execute(run, EngineSpy(demo_engine(small_site), note_the_thread)) == RunStatus.COMPLETED

    run.refresh_from_db()
    assert run.stage_result(5).get("status") == "completed", run.stage_result(5)
    content, prompts = threads["generate_content"], threads["generate_image_prompts"]
    assert content & prompts  # the second stage's batches ran on the first stage's threads
    assert len(content | prompts) <= 2 * 2  # never more than 2 x max_concurrency threads
    assert not any(thread.is_alive() for thread in content | prompts)


def test_a_clustering_batch_is_asked_with_the_clusters_the_one_before_saved(server, small_site):
    """At concurrency 1 the keywords' clustering is not pipelined: its prompt lists the site's
    clusters, so each batch's request waits until the batch before has saved its clusters."""
    import json

    server.latency = 0.1
    add_keywords(small_site, 40)
    enabled = {f"stage_{n}_enabled": n == 1 for n in range(1, 8)}
    fast_config(small_site, max_concurrency=1, clustering_method="ai", stage_1_batch_size=20, **enabled)
    grant(small_site.account, 1000)
    run = AutomationService.start_automation(small_site)
    assert execute(run, None) == RunStatus.COMPLETED

    first, second = [json.dumps(call.body["messages"]) for call in server.calls(CHAT)]
    names = set(Clusters.objects.filter(site=small_site).values_list("name", flat=True))
    from_the_first = {name for name in names if json.dumps(name)[1:-1] in second and name not in first}
    assert from_the_first  # the second prompt lists clusters the first batch created
