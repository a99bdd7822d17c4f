"""The 64-keyword demo site through the real `openai` provider against a local
OpenAI-compatible server that answers after a fixed latency (bench/openai_server.py).

Prints, per stage and in total: AI calls, wall time, AI time (inside provider calls),
orchestration ms per AI call (wall time not spent waiting for the provider), overhead % of
wall time, the worker process's CPU ms per AI call (SDK included: the figure that does not
grow when the machine is busy) and SQL queries per item; then, for
each `max_concurrency` asked for, the wall time and the speed-up over concurrency 1.
Exits non-zero when a run does not complete or an item fails. Needs PostgreSQL
(DATABASE_URL) and Redis (REDIS_URL); uses a throwaway database `<name>_bench_pipeline`.

    BENCH_KEYWORDS=64  BENCH_LATENCY_MS=200  BENCH_CONCURRENCY=1,4,8  python bench/bench_pipeline.py
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import QueryCounter, demo_site, prepare_environment, throwaway_database  # noqa: E402

KEYWORDS = int(os.environ.get("BENCH_KEYWORDS", "64"))
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "200"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,4,8").split(",")]


def start_server(latency_ms: float) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("openai_server.py")), "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = server.stdout.readline().split()
    if len(line) != 2 or line[0] != "port":
        server.kill()
        raise SystemExit(f"bench_pipeline: the local OpenAI server did not start ({line})")
    return server, f"http://127.0.0.1:{line[1]}/v1"


class Meter:
    """AI calls and the time spent inside them, per stage, from every thread."""

    def __init__(self, queries: QueryCounter):
        self.queries = queries
        self.stage = 0
        self.calls: dict[int, int] = {}
        self.ai_time: dict[int, float] = {}
        self._lock = threading.Lock()

    def timed(self, call):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                with self._lock:
                    self.calls[self.stage] = self.calls.get(self.stage, 0) + 1
                    self.ai_time[self.stage] = self.ai_time.get(self.stage, 0.0) + spent

        return wrapper


def run_site(concurrency: int, meter: Meter) -> dict:
    """One full run of a fresh demo site; returns per-stage figures."""
    from igny8_core.automation import lock as site_lock
    from igny8_core.automation import tasks as tasks_module
    from igny8_core.automation.service import AutomationService

    account, site, config = demo_site(KEYWORDS, name=f"bench-c{concurrency}")
    config.max_concurrency = concurrency
    config.save()
    stages: dict[int, dict] = {}

    class MeasuredService(AutomationService):
        def run_stage(self, number):
            meter.stage = number
            queries, started, cpu = meter.queries.count, time.perf_counter(), time.process_time()
            outcome = super().run_stage(number)
            stages[number] = {
                "wall": time.perf_counter() - started,
                "cpu": time.process_time() - cpu,
                "queries": meter.queries.count - queries,
                "items": outcome.get("items_requested", 0) or 0,
                "failed": outcome.get("items_failed", 0) or 0,
                "status": outcome.get("status", "-"),
            }
            return outcome

    tasks_module.enqueue = lambda run, resume=False: None  # executed below, in this process
    run = AutomationService.start_automation(site)
    service = MeasuredService.claim_run(run.run_id, run.epoch)
    started = time.perf_counter()
    status = service.execute()
    total = time.perf_counter() - started
    run.refresh_from_db()
    site_lock.release_token(site.pk, run.lock_token)
    for number, figures in stages.items():
        figures["calls"] = meter.calls.get(number, 0)
        figures["ai"] = meter.ai_time.get(number, 0.0)
    return {"status": status, "wall": total, "stages": stages, "error": run.error_message}


def print_run(concurrency: int, outcome: dict) -> None:
    print(f"\nmax_concurrency {concurrency}: run {outcome['status']} in {outcome['wall']:.2f}s")
    print(
        f"  {'stage':<6}{'items':>6}{'calls':>7}{'wall s':>9}{'AI s':>9}{'orch ms/call':>14}{'overhead':>10}{'cpu ms/call':>13}{'q/item':>8}"
    )
    rows = sorted(outcome["stages"].items())
    total = {"items": 0, "calls": 0, "wall": 0.0, "ai": 0.0, "cpu": 0.0, "queries": 0}
    for number, s in rows:
        for key in total:
            total[key] += s[key]
        print_row(str(number), s, concurrency)
    print_row("total", total, concurrency)


def print_row(label: str, s: dict, concurrency: int) -> None:
    # Inside one run, calls overlap `concurrency` at a time: the time not spent waiting for the
    # provider is wall - AI/concurrency (exact at concurrency 1, the target's definition).
    ai_wall = s["ai"] / max(1, min(concurrency, s["calls"] or 1))
    orchestration = max(0.0, s["wall"] - ai_wall)
    per_call = f"{orchestration * 1000 / s['calls']:.1f}" if s["calls"] else "-"
    overhead = f"{orchestration / s['wall'] * 100:.1f}%" if s["wall"] and s["calls"] else "-"
    cpu = f"{s['cpu'] * 1000 / s['calls']:.1f}" if s["calls"] else "-"
    per_item = f"{s['queries'] / s['items']:.1f}" if s["items"] else "-"
    print(
        f"  {label:<6}{s['items']:>6}{s['calls']:>7}{s['wall']:>9.2f}{s['ai']:>9.2f}{per_call:>14}{overhead:>10}"
        f"{cpu:>13}{per_item:>8}"
    )


def main() -> int:
    server, base_url = start_server(LATENCY_MS)
    tmp = prepare_environment(IGNY8_AI_PROVIDER="openai", OPENAI_BASE_URL=base_url, OPENAI_API_KEY="bench")
    import django

    django.setup()
    failures = []
    try:
        with throwaway_database("bench_pipeline", tmp):
            from igny8_core.ai.providers.openai import OpenAIProvider

            meter = Meter(QueryCounter().install())
            OpenAIProvider._complete = meter.timed(OpenAIProvider._complete)
            OpenAIProvider.generate_image = meter.timed(OpenAIProvider.generate_image)
            print(f"{KEYWORDS} keywords, openai provider, local server answering after {LATENCY_MS:g} ms")
            results = {}
            for concurrency in CONCURRENCY:
                meter.calls, meter.ai_time = {}, {}
                outcome = results[concurrency] = run_site(concurrency, meter)
                print_run(concurrency, outcome)
                failed = sum(s["failed"] for s in outcome["stages"].values())
                if outcome["status"] != "completed" or failed:
                    failures.append(
                        f"concurrency {concurrency}: {outcome['status']}, {failed} failed {outcome['error']}"
                    )
            base = results.get(1)
            if base and len(results) > 1:
                print("\nspeed-up over max_concurrency 1 (wall time):")
                for concurrency, outcome in results.items():
                    per_stage = ", ".join(
                        f"{n}: x{base['stages'][n]['wall'] / s['wall']:.1f}"
                        for n, s in sorted(outcome["stages"].items())
                        if s["wall"] > 0.05 and n in base["stages"]
                    )
                    print(f"  {concurrency:>2}: total x{base['wall'] / outcome['wall']:.2f}  ({per_stage})")
    finally:
        server.kill()
        server.wait()
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
