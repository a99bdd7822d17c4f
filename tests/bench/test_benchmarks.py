"""The benchmarks run (on a tiny site) in every test run, so they cannot rot: each script must
complete its pipeline without a failed item and exit 0, and print its figures."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_bench(script: str, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # the script sets up Django itself
    return subprocess.run(
        [sys.executable, str(BENCH / script)], env=environment, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    ("script", "env", "expected"),
    [
        (
            "bench_pipeline.py",
            {"BENCH_KEYWORDS": "8", "BENCH_LATENCY_MS": "0", "BENCH_CONCURRENCY": "1,4"},
            ["max_concurrency 1: run completed", "max_concurrency 4: run completed", "speed-up", "q/item"],
        ),
        (
            "bench_pipeline.py",
            {"BENCH_KEYWORDS": "8", "BENCH_LATENCY_MS": "50", "BENCH_CONCURRENCY": "1,4", "BENCH_RPM": "600"},
            ["request rate vs the limit of 600/min", "of the limit,", "target x"],
        ),
        ("bench_automation.py", {"BENCH_KEYWORDS": "6"}, ["run of 6 keywords: completed", "loop's own queries"]),
        ("bench_credits.py", {"BENCH_DEDUCTIONS": "16"}, ["sequential deductions: 16", "final balance"]),
        ("bench_clustering.py", {}, ["240 keywords, 24 topics", "local ", "ai (demo) "]),
        ("bench_guard.py", {"BENCH_IDEAS": "200", "BENCH_CLUSTERS": "3"}, ["ms/cluster", "reading", "comparing"]),
        (
            "bench_estimate.py",
            {"BENCH_SIZES": "8", "BENCH_DEMO": "0", "BENCH_MIXED": "0"},
            ["fresh import of 8 keywords: run completed", "projected clusters", "actual/estimate"],
        ),
        (
            "bench_site_size.py",
            {"BENCH_SITE_SIZES": "100,1000"},
            ["site of 1000 keywords: history filled in", "queries/item", "flat (spread"],
        ),
    ],
)
def test_benchmark_runs_and_prints_its_figures(script, env, expected):
    done = run_bench(script, **env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for text in expected:
        assert text in done.stdout, done.stdout[-3000:]


def bench_pipeline():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_pipeline", BENCH / "bench_pipeline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_stage_is_held_to_what_its_calls_and_the_rate_limit_allow():
    target = bench_pipeline().stage_target
    assert target(8, 24, 0.21) == pytest.approx(6.4)  # 0.8 x C
    assert target(8, 4, 0.25) == pytest.approx(3.2)  # 4 calls: no more than 4 in flight
    # 600/min: 24 calls of 0.21 s take at least 23 x 0.1 s + 0.21 s = 2.51 s, against 5.04 s one by one.
    assert target(8, 24, 0.21, rpm=600) == pytest.approx(0.95 * 5.04 / 2.51)
    # 4 calls: 0.3 s + 0.25 s at best, against 1 s: below what the limit allows a long stage (x2.5).
    assert target(8, 4, 0.25, rpm=600) == pytest.approx(0.95 * 1.0 / 0.55)
    assert target(2, 24, 0.21, rpm=6000) == pytest.approx(1.6)  # a limit out of reach: 0.8 x C
