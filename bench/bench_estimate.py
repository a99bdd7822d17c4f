"""The run estimate against what a real run then charges, on the demo provider.

For the demo site (seed_demo: its 64 keywords, before any run), for fresh 8-, 20- and
64-keyword imports (new sites: the estimate's defaults; the demo set's first keywords, few
topics) and a fresh import of 19 keywords on many topics, and for 20 keywords on new topics
imported into the demo site after its first run (its learned ratios), prints the estimate and the actual credits
per stage (items and credits), the ratios the estimate used and where they came from, and the
actual / estimate ratio. Exits non-zero when a run does not complete or its actual credits are
outside +-20% of the estimate. Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); uses a
throwaway database `<name>_bench_estimate`.

    BENCH_SIZES=8,20,64  BENCH_DEMO=1  BENCH_MIXED=1  python bench/bench_estimate.py
"""

import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import demo_site, prepare_environment, throwaway_database  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "8,20,64").split(",") if n.strip()]
DEMO = os.environ.get("BENCH_DEMO", "1") == "1"
MIXED = os.environ.get("BENCH_MIXED", "1") == "1"  # also 19 keywords on many topics (every 3rd)
TOLERANCE = Decimal("0.20")
SECOND_IMPORT = [
    f"{topic} {detail}"
    for topic in ("sourdough bread", "home office setup", "indoor houseplants", "road cycling")
    for detail in ("for beginners", "mistakes to avoid", "weekly routine", "best tools", "cost breakdown")
]


def run_and_compare(label: str, site) -> dict:
    """Estimate, then run the site's pipeline in this process; returns both, per stage."""
    from igny8_core.automation import dispatch
    from igny8_core.automation import lock as site_lock
    from igny8_core.automation.reporting import estimate_credits
    from igny8_core.automation.service import AutomationService

    estimate = estimate_credits(site)
    dispatch.enqueue = lambda run, resume=False: None  # executed below, in this process
    run = AutomationService.start_automation(site)
    status = AutomationService.claim_run(run.run_id, run.epoch).execute()
    run.refresh_from_db()
    site_lock.release_token(site.pk, run.lock_token)
    actual = {n: run.stage_result(n) for n in range(1, 8)}
    return {"label": label, "status": status, "estimate": estimate, "actual": actual, "run": run}


def print_comparison(outcome: dict) -> Decimal:
    from igny8_core.automation.stages import STAGES

    estimate, run = outcome["estimate"], outcome["run"]
    estimated = Decimal(str(estimate["estimated_credits"]))
    actual = Decimal(str(run.total_credits_used))
    ratio = actual / estimated if estimated else Decimal("0")
    ratios = estimate["ratios"]
    print(f"\n{outcome['label']}: run {outcome['status']}")
    print(
        f"  ratios: projected clusters {ratios['projected_clusters']}, "
        + ", ".join(
            f"{name.replace('_per_', '/').replace('_', ' ')} {ratios[name]['value']} ({ratios[name]['source']})"
            for name in ("cluster_factor", "ideas_per_cluster", "words_per_article", "images_per_article")
        )
    )
    print(f"  {'stage':<34}{'est items':>10}{'est credits':>13}{'items':>8}{'credits':>10}")
    for stage, row in zip(STAGES, estimate["breakdown"], strict=True):
        result = outcome["actual"][stage.number]
        items = int(result.get(stage.processed_key, 0) or 0)
        credits = Decimal(str(result.get("credits_used") or "0"))
        print(f"  {stage.number} {stage.name:<32}{row['items']:>10}{row['credits']:>13}{items:>8}{credits:>10}")
    print(f"  total: estimate {estimated}, actual {actual}, actual/estimate {ratio:.2f}")
    return ratio


def main() -> int:
    tmp = prepare_environment(IGNY8_AI_PROVIDER="demo")
    import django

    django.setup()
    failures = []
    with throwaway_database("bench_estimate", tmp):
        from django.core.management import call_command

        from igny8_core.accounts.demo_data import DEMO_KEYWORDS
        from igny8_core.accounts.models import Site
        from igny8_core.billing.services import CreditService
        from igny8_core.planner.models import Keywords

        outcomes = []
        if DEMO:
            call_command("seed_demo", quiet=True)
            site = Site.objects.get(domain="demo-lifestyle.example.com")
            site.automation_config.between_stage_delay = 0
            site.automation_config.save()
            outcomes.append(run_and_compare(f"demo site ({Keywords.objects.filter(site=site).count()} keywords)", site))
            # A second import on new topics into the same site: the estimate now learns from the first run.
            CreditService.add(site.account, Decimal("100000"))
            Keywords.objects.bulk_create(
                Keywords(account=site.account, site=site, keyword=keyword, volume=100) for keyword in SECOND_IMPORT
            )
            outcomes.append(run_and_compare(f"demo site, {len(SECOND_IMPORT)} new keywords (learned ratios)", site))
        for size in SIZES:
            _, site, _ = demo_site(size, name=f"estimate-{size}")
            outcomes.append(run_and_compare(f"fresh import of {size} keywords", site))
        if MIXED:
            _, site, _ = demo_site(0, name="estimate-mixed")
            Keywords.objects.bulk_create(
                Keywords(account=site.account, site=site, keyword=kw, volume=vol)
                for kw, vol, _, _ in DEMO_KEYWORDS[::3][:19]
            )
            outcomes.append(run_and_compare("fresh import of 19 keywords on many topics", site))

        for outcome in outcomes:
            ratio = print_comparison(outcome)
            if outcome["status"] != "completed":
                failures.append(f"{outcome['label']}: run {outcome['status']} {outcome['run'].error_message}")
            elif abs(ratio - 1) > TOLERANCE:
                failures.append(f"{outcome['label']}: actual / estimate {ratio:.2f} (allowed 0.80-1.20)")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
