"""Read-only views of the pipeline: queue sizes, the credit estimate, run progress.

The estimate projects downstream items (keywords become clusters, clusters become ideas...)
with the site's own ratios (ratios.py: learned from its history, safe defaults for a new site),
so it neither undershoots a fresh keyword list nor prices every article at the longest one. It
gates the start (balance >= 1.2 x estimate); each AI call is still checked and charged
individually during the run.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from igny8_core.billing.budget import BudgetAllocationService
from igny8_core.billing.services import CreditService

from . import progress
from .images import images_off_reason
from .models import AutomationConfig, RunStatus
from .ratios import SiteRatios, site_ratios
from .results import FINAL
from .stages import STAGES, Stage

CENT = Decimal("0.01")
START_BUFFER = Decimal("1.2")  # a run starts only if balance >= 1.2 x estimate


def pending_counts(site) -> dict[int, int]:
    return {stage.number: stage.pending(site).count() for stage in STAGES}


def pipeline_overview(site) -> list[dict]:
    counts = pending_counts(site)
    return [{"number": s.number, "name": s.name, "type": s.kind, "pending": counts[s.number]} for s in STAGES]


def initial_snapshot(site) -> dict:
    """The queues when a run starts, and its plan (what each stage is expected to handle): the
    plan fixes each stage's weight in the run's percentage."""
    counts = pending_counts(site)
    ratios = site_ratios(site, STAGES[0].pending(site))
    snapshot = {f"stage_{n}_initial": count for n, count in counts.items()}
    snapshot["total_initial_items"] = sum(counts.values())
    snapshot["planned"] = {str(n): items for n, items in progress.plan(site, counts, ratios=ratios).items()}
    # What the site's cluster factor is learned from (its clusters_created over this).
    snapshot["projected_clusters"] = ratios.projected_clusters
    snapshot["taken_at"] = timezone.now().isoformat()
    return snapshot


def estimate_credits(site, config: AutomationConfig | None = None) -> dict:
    """Itemised credit estimate of a run over the current queues and their projected outputs."""
    config = config or AutomationConfig.for_site(site)
    pending = pending_counts(site)
    images_off = images_off_reason(site, config)

    ratios = site_ratios(site, STAGES[0].pending(site))
    items = progress.plan(site, pending, config, ratios)  # image stages plan nothing when images are off
    items[7] = pending[7] + items[4]  # the gate costs nothing: every draft that may reach it
    credits = {stage.number: _price(stage, items[stage.number], site, ratios) for stage in STAGES}
    estimated = sum(credits.values(), Decimal("0")).quantize(CENT)
    required = (estimated * START_BUFFER).quantize(CENT, rounding=ROUND_HALF_UP)
    budget = config.max_credits_per_run
    if budget and budget > 0:
        required = min(required, budget)
    balance = CreditService.balance(site.account_id)
    return {
        "estimated_credits": estimated,
        "required": required,
        "current_balance": balance,
        "sufficient": balance >= required,
        "breakdown": [
            {"stage": s.number, "name": s.name, "items": items[s.number], "credits": credits[s.number]} for s in STAGES
        ],
        "allocation": {
            s.operation: BudgetAllocationService.get_operation_budget(site, s.operation, budget)
            for s in STAGES
            if s.operation
        },
        "max_credits_per_run": budget,
        "images_off": images_off,  # why stages 5-6 make nothing, or ""
        "ratios": ratios.as_dict(),
    }


def _price(stage: Stage, items: int, site, ratios: SiteRatios) -> Decimal:
    """Credits the stage is expected to charge for `items`: articles at the site's words per
    article (each priced on its own, as charged), image prompts at its images per article,
    nothing for a local clustering; the rest as the stage prices them."""
    ai = stage.ai
    if ai is None or not ai.operation or not items:
        return Decimal("0.00")
    variant = ai.planned_variant(site)
    if stage.number == 1 and ratios.cluster_factor.source == "local":
        return Decimal("0.00")
    if stage.number == 4:
        return (ratios.article_price(ai.operation, variant) * items).quantize(CENT, rounding=ROUND_HALF_UP)
    if stage.number == 5:
        return CreditService.cost_for(ai.operation, ratios.images_for(items), variant)
    return stage.price(items, site)


def run_usage(run) -> dict:
    """Tokens and provider cost (USD, decimal string) of a run: the sum of its stage tallies."""
    prompt = completion = 0
    cost = Decimal("0")
    for number in range(1, 8):
        result = run.stage_result(number) or {}
        prompt += int(result.get("prompt_tokens", 0) or 0)
        completion += int(result.get("completion_tokens", 0) or 0)
        cost += Decimal(str(result.get("provider_cost", "0") or "0"))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "provider_cost": str(cost)}


def credits_by_stage(run) -> list[dict]:
    """The credits each stage of `run` charged (stages that charged nothing are left out)."""
    rows = []
    for stage in STAGES:
        credits = Decimal(str(run.stage_result(stage.number).get("credits_used") or "0"))
        if credits:
            rows.append(
                {
                    "stage": stage.number,
                    "name": stage.name,
                    "operation": stage.operation or None,
                    "credits": credits,
                }
            )
    return rows


def _handled(result: dict, stage) -> int:
    """Input items the stage has worked on (the engine counts failed attempts as processed too)."""
    return int(result.get(stage.processed_key, 0) or 0)


def stage_status(run, stage) -> str:
    result = run.stage_result(stage.number)
    if result.get("status") in FINAL:
        return result["status"]
    if stage.number == run.current_stage or result.get("status") == "running":
        return {RunStatus.RUNNING: "running", RunStatus.PAUSED: "paused"}.get(run.status, run.status)
    return "pending"


def _stage_rows(run) -> list[dict]:
    """Each stage's real counts. Its input is its queue at run start plus what the stage before
    it produced during this run (or what it handled, if more arrived): it grows only when work
    was really added, and is fixed once the stage before it has finished."""
    snapshot = run.initial_snapshot or {}
    rows, previous = [], {}
    for stage in STAGES:
        result = run.stage_result(stage.number)
        inflow = int(previous.get(STAGES[stage.number - 2].created_key, 0) or 0) if stage.number > 1 else 0
        if stage.is_gate:
            inflow = int(run.stage_4_result.get("content_created", 0) or 0)
        input_count = int(snapshot.get(f"stage_{stage.number}_initial", 0) or 0) + inflow
        status = stage_status(run, stage)
        if status == "skipped":
            input_count = processed = 0
        elif stage.is_gate and status in FINAL:
            processed = input_count = int(result.get("ready_for_review", 0) or 0)
        else:
            processed = _handled(result, stage)
            input_count = max(input_count, processed)
        rows.append(
            {
                "number": stage.number,
                "name": stage.name,
                "type": stage.kind,
                "status": status,
                "finished": status in FINAL,
                "input_count": input_count,
                "processed_count": processed,
                "remaining_count": 0 if status == "skipped" else input_count - processed,
                "result": result or None,
            }
        )
        previous = result
    return rows


def run_progress(run) -> dict:
    """The one progress truth (API, dashboard, CLI).

    `percentage` is the share of the run's planned work done (progress.weighted_percentage): it
    never decreases while the run runs, is 100 only for a completed run, and stays where it was
    for a cancelled or failed one. `total_items` / `completed_items` / `remaining_items` are the
    real item counts. `waiting_for_worker`: the run is running but no worker has claimed it yet.
    """
    rows = _stage_rows(run)
    planned = progress.planned_items(run)
    for row in rows:
        row["planned_count"] = planned[row["number"]]
    total = sum(row["input_count"] for row in rows)
    done = sum(row["processed_count"] for row in rows)
    running = run.status == RunStatus.RUNNING
    if run.status == RunStatus.COMPLETED:
        percentage = 100
    else:
        # Floored and kept below 100, so a rounding never shows a run as finished or moves back.
        percentage = min(99, int(progress.weighted_percentage(rows, planned)))
    waiting = running and run.claimed_at is None
    eta = None
    if running and not waiting:
        eta = progress.eta_seconds(run, rows, planned, AutomationConfig.for_site(run.site))
    end = run.completed_at or run.cancelled_at or (run.paused_at if run.status == RunStatus.PAUSED else None)
    duration = ((end or timezone.now()) - run.started_at).total_seconds()
    for row in rows:
        del row["finished"]
    return {
        "run": {
            "run_id": run.run_id,
            "status": run.status,
            "current_stage": run.current_stage,
            "trigger_type": run.trigger_type,
            "stopped_reason": run.stopped_reason,
            "waiting_for_worker": waiting,
        },
        "global_progress": {
            "total_items": total,
            "completed_items": done,
            "remaining_items": total - done,
            "percentage": percentage,
            "eta_seconds": eta,
            "waiting_for_worker": waiting,
            "finished": not run.is_active,
        },
        "stages": rows,
        "metrics": {
            "credits_used": run.total_credits_used,
            "duration_seconds": max(0, round(duration)),
            **run_usage(run),
        },
        "initial_snapshot": run.initial_snapshot or {},
    }


def current_processing(run) -> dict | None:
    if run.status != RunStatus.RUNNING or not run.current_processing:
        return None
    return dict(run.current_processing)
