"""The pipeline end to end on the demo provider: time per stage, items per second, the loop's
own database queries per batch, and the cost of the start check (estimate + snapshot).

Prints figures; asserts nothing about speed. Needs PostgreSQL (DATABASE_URL) and Redis
(REDIS_URL) — run via `make bench`. Uses a throwaway database `<name>_bench_automation`.
Set BENCH_KEYWORDS (default 64) for a bigger run.
"""

import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igny8_core.settings")
_tmp = tempfile.mkdtemp(prefix="igny8-bench-")
os.environ["IGNY8_LOG_ROOT"] = os.path.join(_tmp, "logs")
os.environ["MEDIA_ROOT"] = os.path.join(_tmp, "media")
os.environ["IGNY8_AI_PROVIDER"] = "demo"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402


class QueryCountingEngine:
    """Wraps the real engine to separate the engine's queries from the loop's own."""

    def __init__(self, engine):
        self.engine = engine
        self.engine_queries = 0
        self.calls = 0

    def estimate(self, name, ids):
        return self.engine.estimate(name, ids)

    def run(self, name, ids):
        with CaptureQueriesContext(connection) as ctx:
            result = self.engine.run(name, ids)
        self.engine_queries += len(ctx.captured_queries)
        self.calls += 1
        return result


def main():
    if connection.vendor != "postgresql":
        print("bench_automation: needs PostgreSQL (set DATABASE_URL)")
        return
    keywords = int(os.environ.get("BENCH_KEYWORDS", "64"))
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{connection.settings_dict['NAME']}_bench_automation"
    old = setup_databases(verbosity=0, interactive=False, aliases=["default"], serialized_aliases=[])
    try:
        from igny8_core.accounts.demo_data import DEMO_KEYWORDS
        from igny8_core.accounts.models import Account, Site
        from igny8_core.ai.engine import AIEngine
        from igny8_core.automation import lock as site_lock
        from igny8_core.automation import service as service_module
        from igny8_core.automation.models import AutomationConfig
        from igny8_core.automation.service import AutomationService
        from igny8_core.billing.services import CreditService
        from igny8_core.planner.models import Keywords

        account = Account.objects.create(name="bench")
        CreditService.add(account, Decimal("1000000"))
        site = Site.objects.create(account=account, name="Bench", domain="bench.example.com")
        rows = [
            (f"{kw} {n}" if n else kw, vol)
            for n in range(keywords // len(DEMO_KEYWORDS) + 1)
            for kw, vol, _, _ in DEMO_KEYWORDS
        ][:keywords]
        Keywords.objects.bulk_create(Keywords(account=account, site=site, keyword=kw, volume=vol) for kw, vol in rows)
        config = AutomationConfig.for_site(site)
        config.within_stage_delay = config.between_stage_delay = 0
        config.save()

        service_module._enqueue = lambda task_name, run: None  # executed below, in this process
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
        loop_queries = len(ctx.captured_queries) - engine.engine_queries
        print(
            f"loop's own queries: {loop_queries} for {engine.calls} batches "
            f"= {loop_queries / max(engine.calls, 1):.1f} per batch (engine: {engine.engine_queries})"
        )
        site_lock.release_token(site.pk, run.lock_token)
    finally:
        teardown_databases(old, verbosity=0)
        shutil.rmtree(_tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
