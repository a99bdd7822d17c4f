"""The running tally of one stage, saved as `stage_N_result` after every batch.

The numbers are the AI engine's real counts (AIResult.stats), summed batch by batch; a paused,
resumed or recovered run continues the tally where the database has it.
"""

import time
from decimal import Decimal

from django.utils import timezone

MAX_FAILED_ITEMS = 20  # keep the JSON small; items_failed has the full count

RUNNING, COMPLETED, PARTIAL, SKIPPED = "running", "completed", "partial", "skipped"
FAILED, CANCELLED = "failed", "cancelled"  # the stage a run ended in, when it failed / was cancelled
FINAL = (COMPLETED, PARTIAL, SKIPPED, FAILED, CANCELLED)


class StageResult:
    def __init__(self, stage, data: dict | None = None):
        self.stage = stage
        data = dict(data or {})
        if data.get("status") != RUNNING:  # a fresh stage (a finished one is never re-opened)
            data = dict.fromkeys(stage.stat_keys, 0)
            data.update(
                status=RUNNING,
                batches_run=0,
                items_requested=0,
                items_failed=0,
                failed_items=[],
                credits_used="0.00",
                prompt_tokens=0,
                completion_tokens=0,
                provider_cost="0",
                time_elapsed=0.0,
                skipped=False,
                partial=False,
                reason="",
                started_at=timezone.now().isoformat(),
            )
        self.data = data
        self._elapsed_before = float(data.get("time_elapsed") or 0)
        self._segment_start = time.monotonic()

    @property
    def credits(self) -> Decimal:
        return Decimal(self.data["credits_used"])

    @property
    def requested(self) -> int:
        return self.data["items_requested"]

    @property
    def is_fresh(self) -> bool:
        return self.data["batches_run"] == 0

    def add(self, ai_result, requested: int) -> None:
        for key in self.stage.stat_keys:
            self.data[key] = self.data.get(key, 0) + int(ai_result.stats.get(key, 0) or 0)
        self.data["batches_run"] += 1
        self.data["items_requested"] += requested
        # Items refused for lack of credits are not failures: they stay pending for the next run.
        failures = [item for item in ai_result.failed if item.get("code") != "insufficient_credits"]
        self.data["items_failed"] += len(failures)
        failed = self.data["failed_items"] + [
            {"id": item.get("id"), "error": str(item.get("error", ""))[:300]} for item in failures
        ]
        self.data["failed_items"] = failed[-MAX_FAILED_ITEMS:]
        self.data["credits_used"] = str(self.credits + Decimal(str(ai_result.credits_used)))
        # What the AI provider was asked and bills (USD); .get: a tally saved before these existed.
        self.data["prompt_tokens"] = self.data.get("prompt_tokens", 0) + getattr(ai_result, "prompt_tokens", 0)
        self.data["completion_tokens"] = self.data.get("completion_tokens", 0) + getattr(
            ai_result, "completion_tokens", 0
        )
        cost = Decimal(self.data.get("provider_cost", "0")) + Decimal(str(getattr(ai_result, "provider_cost", 0)))
        self.data["provider_cost"] = str(cost)

    def set_counts(self, counts: dict) -> None:
        self.data.update(counts)

    def finish(self, status: str, reason: str = "") -> None:
        self.data["status"] = status
        self.data["skipped"] = status == SKIPPED
        self.data["partial"] = status == PARTIAL
        self.data["reason"] = reason
        self.data["finished_at"] = timezone.now().isoformat()

    def as_json(self) -> dict:
        self.data["time_elapsed"] = round(self._elapsed_before + time.monotonic() - self._segment_start, 2)
        return dict(self.data)


def close_open_stages(run_pk: int) -> list[int]:
    """A finished run keeps no stage `running`: the stage it stopped in takes the run's final
    status (failed / cancelled) with the run's stopped_reason. Returns the stages closed."""
    from django.db import transaction

    from .models import ACTIVE_STATUSES, AutomationRun

    with transaction.atomic():
        run = AutomationRun.objects.select_for_update().filter(pk=run_pk).first()
        if run is None or run.status in ACTIVE_STATUSES:
            return []
        status = run.status if run.status in (FAILED, CANCELLED) else PARTIAL
        changes, now = {}, timezone.now().isoformat()
        for number in range(1, 8):
            data = dict(run.stage_result(number))
            if data.get("status") == RUNNING:
                data.update(status=status, partial=status == PARTIAL, finished_at=now)
                data["reason"] = data.get("reason") or run.stopped_reason or f"The run {run.status}."
                changes[f"stage_{number}_result"] = data
        if changes:
            AutomationRun.objects.filter(pk=run_pk).update(**changes)
    return sorted(int(name.split("_")[1]) for name in changes)
