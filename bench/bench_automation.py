"""The pipeline end to end on the demo provider: time per stage, items per second, the loop's
own database queries per batch, and the cost of the start check (estimate + snapshot).

Prints figures; asserts nothing about speed. Needs PostgreSQL (DATABASE_URL) and Redis
(REDIS_URL) — run via `make bench`. Uses a throwaway database `<name>_bench_automation`.
Set BENCH_KEYWORDS (default 64) for a bigger run.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import demo_site, prepare_environment, throwaway_database  # noqa: E402

_tmp = prepare_environment(IGNY8_AI_PROVIDER="demo")

import django  # noqa: E402

django.setup()

from igny8_core.celery import warm_up_process  # noqa: E402

warm_up_process()  # as a worker does when it starts: the first run must not pay for the dictionary

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


class QueryCountingEngine:
    """Wraps the real engine to separate the engine's queries from the loop's own."""

    def __init__(self, engine):
        self.engine = engine
        self.engine_queries = 0
        self.calls = 0

    def estimate(self, name, ids):
        return self.engine.estimate(name, ids)

    def selection(self, name, queryset):  # the loop's select of its next batch: the loop's query
        return self.engine.selection(name, queryset)

    def for_run(self, run_pk):
        self.engine.for_run(run_pk)
        return self

    def run(self, name, ids, **options):
        with CaptureQueriesContext(connection) as ctx:
            result = self.engine.run(name, ids, **options)
        self.engine_queries += len(ctx.captured_queries)
        self.calls += 1
        return result


def main() -> int:
    keywords = int(os.environ.get("BENCH_KEYWORDS", "64"))
    with throwaway_database("bench_automation", _tmp):
        from igny8_core.ai.engine import AIEngine
        from igny8_core.automation import dispatch
        from igny8_core.automation import lock as site_lock
        from igny8_core.automation.service import AutomationService

        account, site, config = demo_site(keywords)
        config.max_concurrency = 1
        config.save()
        dispatch.enqueue = lambda run, resume=False: None  # executed below, in this process
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            run = AutomationService.start_automation(site)
        print(
            f"start check (estimate + snapshot + insert): {(time.perf_counter() - start) * 1000:.1f} ms, "
            f"{len(ctx.captured_queries)} queries"
        )

        engine = QueryCountingEngine(AIEngine(account, site))
        service = AutomationService.claim_run(run.run_id, run.epoch, engine=engine)
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            status = service.execute()
        total = time.perf_counter() - start
        run.refresh_from_db()
        print(f"run of {keywords} keywords: {status} in {total:.2f}s, {run.total_credits_used} credits")
        for n in range(1, 8):
            result = run.stage_result(n)
            print(
                f"  stage {n}: {result.get('status', '-'):<9} {result.get('batches_run', 0):>4} batches "
                f"{result.get('time_elapsed', 0):>7.2f}s  {result.get('credits_used', '0.00'):>8} credits"
            )
        # The batches run in pool threads, on their own connections: what this thread's
        # connection ran is the loop's own (the engine's are counted by QueryCountingEngine).
        loop_queries = len(ctx.captured_queries)
        print(
            f"loop's own queries: {loop_queries} for {engine.calls} batches "
            f"= {loop_queries / max(engine.calls, 1):.1f} per batch (engine: {engine.engine_queries})"
        )
        site_lock.release_token(site.pk, run.lock_token)
        failed = sum(run.stage_result(n).get("items_failed", 0) or 0 for n in range(1, 8))
        if status != "completed" or failed:
            print(f"FAILED: the run is {status} with {failed} failed items {run.error_message}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
