"""Read-only views of the pipeline: queue sizes, the credit estimate, run progress.

The estimate projects downstream items (keywords become clusters, clusters become ideas...)
with the ratios below, so a run on a fresh keyword list is not under-estimated. The ratios
are deliberately on the high side: the estimate gates the start (balance >= 1.2 x estimate);
each AI call is still checked and charged individually during the run.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from igny8_core.billing.budget import BudgetAllocationService
from igny8_core.billing.services import CreditService

from .images import IMAGE_STAGES, images_off_reason
from .models import AutomationConfig, RunStatus
from .results import FINAL
from .stages import STAGES

CENT = Decimal("0.01")
START_BUFFER = Decimal("1.2")  # a run starts only if balance >= 1.2 x estimate
KEYWORDS_PER_CLUSTER = 3  # projection: a new cluster per 3 keywords (the demo provider groups ~2.7)


def ideas_per_cluster() -> int:
    """Ideas the AI writes per cluster (the AI engine's setting)."""
    return max(1, getattr(settings, "IGNY8_AI_IDEAS_PER_CLUSTER", 3))


def pending_counts(site) -> dict[int, int]:
    return {stage.number: stage.pending(site).count() for stage in STAGES}


def pipeline_overview(site) -> list[dict]:
    counts = pending_counts(site)
    return [{"number": s.number, "name": s.name, "type": s.kind, "pending": counts[s.number]} for s in STAGES]


def initial_snapshot(site) -> dict:
    counts = pending_counts(site)
    snapshot = {f"stage_{n}_initial": count for n, count in counts.items()}
    snapshot["total_initial_items"] = sum(counts.values())
    snapshot["taken_at"] = timezone.now().isoformat()
    return snapshot


def _capped(items: int, limit: int) -> int:
    return min(items, limit) if limit else items


def estimate_credits(site, config: AutomationConfig | None = None) -> dict:
    """Itemised credit estimate of a run over the current queues and their projected outputs."""
    config = config or AutomationConfig.for_site(site)
    pending = pending_counts(site)
    prompts_per_content = 1 + site.in_article_images
    images_off = images_off_reason(site, config)

    def flow(number: int, items: int) -> int:
        stage = STAGES[number - 1]
        if images_off and number in IMAGE_STAGES:
            return 0  # priced only what will be made
        return _capped(items, stage.limit(config)) if stage.enabled(config) else 0

    keywords = flow(1, pending[1])
    clusters = flow(2, pending[2] + math.ceil(keywords / KEYWORDS_PER_CLUSTER))
    ideas = flow(3, pending[3] + clusters * ideas_per_cluster())
    tasks = flow(4, pending[4] + ideas)
    contents = flow(5, pending[5] + tasks)
    images = flow(6, pending[6] + contents * prompts_per_content)
    items = {1: keywords, 2: clusters, 3: ideas, 4: tasks, 5: contents, 6: images, 7: pending[7] + tasks}
    credits = {stage.number: stage.price(items[stage.number], site) for stage in STAGES}
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
    }


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
                    "operation": OPERATION_OF_STAGE.get(stage.number),
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


def run_progress(run) -> dict:
    """The run_progress payload. A stage's input is its queue at run start plus what the stage
    before it produced during this run; global progress is handled items over all inputs."""
    snapshot = run.initial_snapshot or {}
    stages, previous = [], {}
    for stage in STAGES:
        result = run.stage_result(stage.number)
        inflow = int(previous.get(STAGES[stage.number - 2].created_key, 0) or 0) if stage.number > 1 else 0
        if stage.is_gate:
            inflow = int(run.stage_4_result.get("content_created", 0) or 0)
        input_count = int(snapshot.get(f"stage_{stage.number}_initial", 0) or 0) + inflow
        status = stage_status(run, stage)
        if stage.is_gate and status in FINAL:
            processed = input_count = int(result.get("ready_for_review", 0) or 0)
        else:
            processed = min(_handled(result, stage), input_count) if status != "skipped" else 0
            if status == "skipped":
                input_count = 0
        stages.append(
            {
                "number": stage.number,
                "name": stage.name,
                "type": stage.kind,
                "status": status,
                "input_count": input_count,
                "processed_count": processed,
                "result": result or None,
            }
        )
        previous = result
    total = sum(s["input_count"] for s in stages)
    done = sum(s["processed_count"] for s in stages)
    if run.status == RunStatus.COMPLETED:
        percentage = 100
    else:
        percentage = min(100, round(100 * done / total)) if total else 0
    end = run.completed_at or run.cancelled_at or (run.paused_at if run.status == RunStatus.PAUSED else None)
    duration = ((end or timezone.now()) - run.started_at).total_seconds()
    return {
        "run": {
            "run_id": run.run_id,
            "status": run.status,
            "current_stage": run.current_stage,
            "trigger_type": run.trigger_type,
            "stopped_reason": run.stopped_reason,
        },
        "global_progress": {"total_items": total, "completed_items": done, "percentage": percentage},
        "stages": stages,
        "metrics": {
            "credits_used": run.total_credits_used,
            "duration_seconds": max(0, round(duration)),
            **run_usage(run),
        },
        "initial_snapshot": snapshot,
    }


def current_processing(run) -> dict | None:
    if run.status != RunStatus.RUNNING or not run.current_processing:
        return None
    return dict(run.current_processing)
