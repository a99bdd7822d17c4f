"""The 64-keyword demo site through the real `openai` provider against a local
OpenAI-compatible server that answers after a fixed latency (bench/openai_server.py).

Prints, per stage and in total: AI calls, wall time, AI time (inside provider calls),
orchestration ms per AI call (wall time not spent waiting for the provider), overhead % of
wall time, the worker process's CPU ms per AI call (SDK included: the figure that does not
grow when the machine is busy) and SQL queries per item; then, for
each `max_concurrency` asked for, the wall time and the speed-up over concurrency 1 against
the target (at least 0.8 x C). With BENCH_RPM set (OPENAI_RPM and OPENAI_IMAGE_RPM for the
run), each stage's achieved request rate (from the spacing of its requests' starts) against
that limit, and whether it is within 5% of it.
Exits non-zero when a run does not complete or an item fails. Needs PostgreSQL
(DATABASE_URL) and Redis (REDIS_URL); uses a throwaway database `<name>_bench_pipeline`.

    BENCH_KEYWORDS=64  BENCH_LATENCY_MS=200  BENCH_CONCURRENCY=1,4,8  [BENCH_RPM=600]  python bench/bench_pipeline.py
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
RPM = int(os.environ.get("BENCH_RPM", "0"))  # the provider rate limit of the run (0: none)
SPEED_UP_TARGET = 0.8  # x C at concurrency C
RATE_TOLERANCE = 0.05


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
        self.finished: dict[int, list[float]] = {}  # when each request ended, per stage
        self._lock = threading.Lock()

    def timed(self, call):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                with self._lock:
                    self.finished.setdefault(self.stage, []).append(started + spent)
                    self.calls[self.stage] = self.calls.get(self.stage, 0) + 1
                    self.ai_time[self.stage] = self.ai_time.get(self.stage, 0.0) + spent

        return wrapper


def run_site(concurrency: int, meter: Meter) -> dict:
    """One full run of a fresh demo site; returns per-stage figures."""
    from igny8_core.automation import dispatch
    from igny8_core.automation import lock as site_lock
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

    dispatch.enqueue = lambda run, resume=False: None  # executed below, in this process
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
        figures["rate"] = request_rate(meter.finished.get(number, []))
    return {"status": status, "wall": total, "stages": stages, "error": run.error_message}


def request_rate(finished: list[float]) -> float | None:
    """Requests per minute from the spacing of the requests (their end times, after the rate
    limiter's wait and the fixed latency: the same spacing as their starts); None under 5."""
    if len(finished) < 5:
        return None
    finished = sorted(finished)
    return (len(finished) - 1) / (finished[-1] - finished[0]) * 60


def print_rates(concurrency: int, outcome: dict) -> None:
    """Each AI stage's achieved request rate against BENCH_RPM, and whether it is within 5%
    (when `concurrency` calls of BENCH_LATENCY_MS each could reach the limit at all)."""
    reachable = concurrency * 60_000 / LATENCY_MS if LATENCY_MS else float("inf")
    if reachable < RPM:
        print(f"  the limit of {RPM}/min is out of reach at this concurrency (at most {reachable:.0f}/min)")
        return
    print(f"  request rate vs the limit of {RPM}/min (within {RATE_TOLERANCE:.0%}):")
    for number, s in sorted(outcome["stages"].items()):
        if s.get("rate") is not None:
            ratio = s["rate"] / RPM
            within = "within" if abs(ratio - 1) <= RATE_TOLERANCE else "NOT within"
            print(f"    stage {number}: {s['rate']:.0f}/min = {ratio:.1%} of the limit, {within}")


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


def stage_target(concurrency: int, calls: int, base_per_call: float, rpm: int = 0) -> float:
    """The speed-up a stage of `calls` calls is held to at `concurrency`, its calls taking
    `base_per_call` seconds each at concurrency 1: 0.8 x C, or 0.8 x its calls when it has
    fewer (it cannot have more in flight). Under a limit of `rpm` requests per minute, no more
    than 95% of what the limit allows: the first call at once, each next one 60/rpm s later,
    the last one then taking a call's time (so a short stage cannot reach the limit's rate)."""
    target = SPEED_UP_TARGET * min(concurrency, calls)
    if rpm:
        fastest = (calls - 1) * 60 / rpm + base_per_call
        target = min(target, (1 - RATE_TOLERANCE) * calls * base_per_call / fastest)
    return target


def print_speed_ups(base: dict, results: dict) -> None:
    """Wall time per AI call at concurrency 1 / at C, total and per AI stage, against 0.8 x C.
    Per call, because each run is a fresh site and the clustering of its keywords may differ
    (e.g. 20 or 24 clusters, hence more ideas, articles and images). A stage of N < C calls
    cannot have more than N in flight: its target is 0.8 x N (the demo site's clustering is 4
    calls). With a rate limit the target stops where the limit is reached (the rate lines say
    whether it is)."""
    print(f"\nspeed-up over max_concurrency 1 (wall time per AI call), target x{SPEED_UP_TARGET} C:")

    def per_call(s: dict) -> float:
        return s["wall"] / s["calls"]

    base_total = base["wall"] / sum(s["calls"] for s in base["stages"].values())
    for concurrency, outcome in results.items():
        if concurrency == 1:
            continue
        target = SPEED_UP_TARGET * concurrency
        if RPM:  # no faster than the limit allows: its rate over the rate at concurrency 1
            target = min(target, (1 - RATE_TOLERANCE) * RPM / 60 * base_total)
        cells = []
        for n, s in sorted(outcome["stages"].items()):
            if s["calls"] and base["stages"].get(n, {}).get("calls"):
                speed = per_call(base["stages"][n]) / per_call(s)
                own = stage_target(concurrency, s["calls"], per_call(base["stages"][n]), RPM)
                cells.append(f"{n}: x{speed:.2f}{'' if speed >= own else f' (below x{own:.2f})'}")
        total = base_total / (outcome["wall"] / sum(s["calls"] for s in outcome["stages"].values()))
        verdict = "met" if total >= target else "NOT met"
        print(
            f"  C={concurrency:<2} total x{total:.2f} vs target x{target:.1f}: {verdict}  (AI stages {', '.join(cells)})"
        )


def main() -> int:
    server, base_url = start_server(LATENCY_MS)
    limits = {"OPENAI_RPM": str(RPM), "OPENAI_IMAGE_RPM": str(RPM)} if RPM else {}
    tmp = prepare_environment(IGNY8_AI_PROVIDER="openai", OPENAI_BASE_URL=base_url, OPENAI_API_KEY="bench", **limits)
    import django

    django.setup()
    from igny8_core.celery import warm_up_process

    warm_up_process()  # as a worker does when it starts: the first run must not pay for the dictionary
    failures: list[str] = []
    try:
        with throwaway_database("bench_pipeline", tmp):
            from igny8_core.ai.providers.openai import OpenAIProvider

            meter = Meter(QueryCounter().install())
            OpenAIProvider._complete = meter.timed(OpenAIProvider._complete)
            OpenAIProvider.generate_image = meter.timed(OpenAIProvider.generate_image)
            limit = f", provider limit {RPM} requests/min (text and images)" if RPM else ""
            print(f"{KEYWORDS} keywords, openai provider, local server answering after {LATENCY_MS:g} ms{limit}")
            print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            results = {}
            for concurrency in CONCURRENCY:
                meter.calls, meter.ai_time, meter.finished = {}, {}, {}
                outcome = results[concurrency] = run_site(concurrency, meter)
                print_run(concurrency, outcome)
                if RPM:
                    print_rates(concurrency, outcome)
                failed = sum(s["failed"] for s in outcome["stages"].values())
                if outcome["status"] != "completed" or failed:
                    failures.append(
                        f"concurrency {concurrency}: {outcome['status']}, {failed} failed {outcome['error']}"
                    )
            base = results.get(1)
            if base and len(results) > 1:
                print_speed_ups(base, results)
    finally:
        server.kill()
        server.wait()
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
