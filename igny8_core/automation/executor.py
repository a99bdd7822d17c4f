"""RunExecutor: executes one claimed run, from its current stage to the end.

Execution is one loop over the seven stage descriptions (stages.py). Per batch it:
selects the next batch fresh from the database (status-driven, so resume and recovery never
redo work) -> reserves its credits against the budget -> one fenced write of the stage tally
(the batches finished since the last write), the ledger's credits, the heartbeat and
"currently processing", whose returned status is the stop check (pause / cancel / a lost
claim stop the launch) -> hands the batch to the AI engine -> logs. Everything needed to
continue lives on the run row.
"""

import functools
import logging
import math
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Self, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from igny8_core.accounts.models import Account, Site
from igny8_core.ai.engine import AIEngine, AIResult, CallSignals
from igny8_core.ai.exceptions import InvalidInput
from igny8_core.ai.functions.base import AIFunction
from igny8_core.billing.budget import BudgetAllocationService
from igny8_core.billing.services import InsufficientCredits
from igny8_core.publishing.review_gate import process_review_gate

from . import dispatch, ledger
from .batches import Batches
from .claim import Heartbeat, RunClaim
from .exceptions import ClaimLost, LockHeld
from .images import IMAGE_STAGES, images_off_reason, release_drafts
from .inflight import BatchPool, Finished
from .logger import RunLogger
from .models import AutomationConfig, AutomationRun, RunStatus
from .results import COMPLETED, FINAL, PARTIAL, SKIPPED, StageResult, close_open_stages
from .stages import STAGES, Stage
from .stages import stage as stage_by_number

log = logging.getLogger(__name__)
DELAY_SLICE = 1.0  # seconds: how often a delay re-checks pause / cancel
# Seconds a finished batch's tally may wait for the next launch's write (the dashboard's lag).
TALLY_LAG = 1.0
OUT_OF_CREDITS = "insufficient_credits"  # AIResult.failed code of items left pending for lack of credits


class RunHalted(Exception):
    """The run stopped on purpose (paused, cancelled, out of credits): end this session."""


class WorkerDraining(Exception):
    """The worker is shutting down (warm): hand the run over after the in-flight item."""


def _engine_factory(account: Account, site: Site) -> AIEngine:
    return AIEngine(account, site)  # the provider comes from settings.IGNY8_AI_PROVIDER


def _refused(function_name: str, ids: list[int], exc: Exception) -> AIResult:
    """An AIResult for a batch the engine refused as a whole: every item failed, nothing done."""
    return AIResult(
        function=function_name,
        items_requested=len(ids),
        items_failed=len(ids),
        failed=[{"id": item_id, "error": str(exc), "code": "invalid_input"} for item_id in ids],
    )


def _ai(stage: Stage) -> AIFunction:
    """The AI function of a stage the batch loop runs (every stage but the review gate)."""
    if stage.ai is None:
        raise ValueError(f"Stage {stage.number} has no AI function: it is not run in batches.")
    return stage.ai


class RunExecutor:
    engine_factory = staticmethod(_engine_factory)  # tests may inject a fake engine

    def __init__(
        self,
        run: AutomationRun,
        claim: RunClaim | None = None,
        engine: AIEngine | None = None,
        draining: Callable[[], bool] | None = None,
    ) -> None:
        self.run = run
        # Asked between items: is this worker shutting down? (tasks.py passes shutdown.checker)
        self.draining = draining or (lambda: False)
        self.site = run.site
        self.account = run.account
        self.config = AutomationConfig.for_site(self.site)
        self.claim = claim
        self.engine = engine
        self.logger = RunLogger(run)
        self._unsaved_at: float | None = None  # when a batch finished that no fenced write has carried yet
        self._pool: BatchPool | None = None

    @property
    def held(self) -> RunClaim:
        """The claim this worker executes under (execute() starts only with one)."""
        if self.claim is None:
            raise ValueError("execute() needs a claim: use claim_run().")
        return self.claim

    @property
    def ai(self) -> AIEngine:
        """The engine execute() made (or was given) before the first stage."""
        if self.engine is None:
            raise ValueError("No AI engine yet: execute() makes it.")
        return self.engine

    @classmethod
    def from_run_id(cls, run_id: str, **kwargs: Any) -> Self:
        return cls(AutomationRun.objects.select_related("site", "account").get(run_id=run_id), **kwargs)

    @classmethod
    def claim_run(cls, run_id: str, ticket: int | None = None, **kwargs: Any) -> Self | None:
        """Redeem the ticket a task carries; None if another worker has (or had) this run."""
        run = AutomationRun.objects.select_related("site", "account").filter(run_id=run_id).first()
        if run is None:
            return None
        claim = RunClaim.redeem(run, run.epoch if ticket is None else ticket)
        if claim is None:
            return None
        run.refresh_from_db()
        return cls(run, claim=claim, **kwargs)

    def execute(self) -> str:
        """Run from current_stage to the end (or until paused / cancelled / out of credits).
        The lock is released and the heartbeat stopped whatever happens."""
        if self.claim is None:
            raise ValueError("execute() needs a claim: use claim_run().")
        heartbeat = Heartbeat(self.claim)
        try:
            try:
                self.claim.acquire_lock()
            except LockHeld as exc:
                self.claim.finish(RunStatus.PAUSED, paused_at=timezone.now(), stopped_reason=str(exc)[:500])
                self.logger.warning(f"Not started: {exc} The run stays paused; resume it later.")
                return RunStatus.PAUSED
            heartbeat.start()
            self.engine = self.engine or self.engine_factory(self.account, self.site)
            self.engine.for_run(self.run.pk)  # every charge and failure names this run
            return self._run_pipeline()
        except RunHalted:
            return self._db_status()
        except WorkerDraining:
            return self._hand_over()
        except ClaimLost as exc:
            self.logger.warning(f"This worker stops: {exc}")
            return "superseded"
        except SoftTimeLimitExceeded:
            self._fail("The run reached its time limit; the remaining items are picked up by the next run.")
            return RunStatus.FAILED
        except Exception as exc:
            log.exception("Automation run %s failed", self.run.run_id)
            self._fail(f"Unexpected error at stage {self.run.current_stage}: {type(exc).__name__}: {exc}")
            return RunStatus.FAILED
        finally:
            self._close_pool()
            heartbeat.stop()
            self.claim.release_lock()
            self._close_stages()

    def _close_stages(self) -> None:
        """A run that ended (failed, cancelled meanwhile...) keeps no stage `running`."""
        try:
            close_open_stages(self.run.pk)
        except Exception:  # the database is gone: the reaper or the next session closes them
            log.exception("Could not close the stages of run %s", self.run.run_id)

    def _hand_over(self) -> str:
        """Warm shutdown: a new ticket and a resume task, so another (or the restarted) worker
        continues the run from the database - no crash recovery, no user action."""
        ticket = self.held.epoch + 1
        self.held.update(epoch=ticket, claimed_at=None, heartbeat_at=timezone.now(), current_processing=None)
        self.run.epoch = ticket
        dispatch.enqueue(self.run, resume=True)
        self.logger.warning(
            f"Worker shutting down: stopped after the in-flight item at stage {self.run.current_stage}; "
            "the run continues on the next worker.",
            stage=self.run.current_stage,
        )
        return "handed over"

    def _db_status(self) -> str:
        return AutomationRun.objects.values_list("status", flat=True).get(pk=self.run.pk)

    def _fail(self, message: str) -> None:
        self.logger.error(message, stage=self.run.current_stage)
        try:
            self.held.finish(
                RunStatus.FAILED, completed_at=timezone.now(), error_message=message, stopped_reason=message[:500]
            )
        except ClaimLost:
            pass

    def _run_pipeline(self) -> str:
        worked = False
        for stage in STAGES[self.run.current_stage - 1 :]:
            if worked:  # no pause after a skipped stage
                self._wait(self.config.between_stage_delay)
            self._check_stop()
            outcome = self.run_stage(stage.number)
            worked = outcome.get("batches_run", 0) > 0
        if self.held.finish(RunStatus.COMPLETED, completed_at=timezone.now()):
            self.run.refresh_from_db()
            self.logger.log(f"Run completed. Credits used: {self.run.total_credits_used}.")
            return RunStatus.COMPLETED
        return self._db_status()

    def _check_stop(self, status: str | None = None) -> None:
        """Stop unless the run is running (`status`: as a fenced write just returned it)."""
        if status is None:
            status = self.held.checkpoint()
        if status != RunStatus.RUNNING:
            self.logger.log(f"Worker stopped: run is {status}.", stage=self.run.current_stage)
            raise RunHalted(status)
        if self.draining():
            raise WorkerDraining()

    def _stop_requested(self) -> bool:
        """Asked by the engine between the items of a batch: pause / cancel / a worker shutdown
        wait for one item only."""
        return self.held.checkpoint() != RunStatus.RUNNING or self.draining()

    def _wait(self, seconds: float) -> None:
        """Sleep, re-checking pause / cancel every second, so a long delay never delays them."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(DELAY_SLICE, left))
            self._check_stop()

    # One loop for every stage; run_stage_1 ... run_stage_7 are thin names for it.
    def run_stage(self, number: int) -> dict[str, Any]:
        stage = stage_by_number(number)
        if self.run.stage_result(number).get("status") in FINAL:
            return self.run.stage_result(number)  # already done in an earlier session
        result = StageResult(stage, self.run.stage_result(number))
        self._save(stage, result, current_stage=number)
        images_off = images_off_reason(self.site, self.config) if number in IMAGE_STAGES else ""
        if images_off:
            result.finish(SKIPPED, f"Images off: {images_off}.")
            self.logger.log(f"Stage {number} ({stage.name}) skipped: images off ({images_off}).", stage=number)
        elif not stage.enabled(self.config):
            result.finish(SKIPPED, "Stage disabled in the configuration.")
            self.logger.log(f"Stage {number} ({stage.name}) skipped: disabled.", stage=number)
        elif stage.is_gate:
            self._run_gate(stage, result)
        else:
            self._run_batches(stage, result)
        if number == 4:
            self._release_drafts_without_images()
        self._save(stage, result, current_stage=min(number + 1, 7))
        return result.as_json()

    def _release_drafts_without_images(self) -> None:
        """At the end of stage 4: with images off, the drafts are finished as they are."""
        reason = images_off_reason(self.site, self.config)
        if reason and (moved := release_drafts(self.site)):
            self.logger.log(f"Images off ({reason}): {moved} draft(s) sent to review.", stage=4)

    def run_stage_1(self) -> dict[str, Any]:
        return self.run_stage(1)

    def run_stage_2(self) -> dict[str, Any]:
        return self.run_stage(2)

    def run_stage_3(self) -> dict[str, Any]:
        return self.run_stage(3)

    def run_stage_4(self) -> dict[str, Any]:
        return self.run_stage(4)

    def run_stage_5(self) -> dict[str, Any]:
        return self.run_stage(5)

    def run_stage_6(self) -> dict[str, Any]:
        return self.run_stage(6)

    def run_stage_7(self) -> dict[str, Any]:
        return self.run_stage(7)

    def _save(self, stage: Stage, result: StageResult, **fields: Any) -> str:
        """Write the stage's tally with a fenced UPDATE; returns the run's status it found.
        Credits from the ledger (what this run's deductions add up to, summed by the same
        statement), never a running sum."""
        self.held.raise_if_lost()
        data = result.as_json()
        written = ledger.save_with_credits(
            self.run.pk, self.held.epoch, stage.result_field, data, stage.operation, fields
        )
        if written is None:
            raise ClaimLost(f"Run {self.run.pk}: epoch {self.held.epoch} is stale; another claim took over.")
        status, self.run.total_credits_used, stage_credits = written
        if stage.operation:
            result.data["credits_used"] = data["credits_used"] = stage_credits
        setattr(self.run, stage.result_field, data)
        if "current_stage" in fields:
            self.run.current_stage = fields["current_stage"]
        self._unsaved_at = None
        return str(status)

    def _run_gate(self, stage: Stage, result: StageResult) -> None:
        outcome = process_review_gate(self.site, stage.limit(self.config))
        not_scheduled = list(outcome.get("not_scheduled") or [])
        result.set_counts(
            {
                "ready_for_review": int(outcome.get("ready_for_review", 0)),
                "approved_count": int(outcome.get("approved_count", 0)),
                "scheduled_count": int(outcome.get("scheduled_count", 0)),
                "auto_approval": bool(outcome.get("auto_approval", False)),
                "not_scheduled": not_scheduled[:50],
                "batches_run": 1,
            }
        )
        held = list(outcome.get("held_for_quality") or [])
        result.set_counts({"held_for_quality": held[:50]})
        result.finish(COMPLETED)
        self.logger.log(
            f"Stage 7 ({stage.name}): {result.data['ready_for_review']} ready for review, "
            f"{result.data['approved_count']} approved, {result.data['scheduled_count']} scheduled.",
            stage=7,
        )
        for item in held[:50]:
            self.logger.log(
                f"Content {item['content_id']} stays in review: quality {item['score']} is below the minimum; "
                f"failed checks: {', '.join(item['failed_checks'])}.",
                stage=7,
            )

    def _budget_left(self, stage: Stage, result: StageResult) -> tuple[Decimal | None, str]:
        """Credits this stage may still spend in this run (None = unlimited), and what limits it."""
        total = self.config.max_credits_per_run
        operation = stage.operation
        if not operation or not total:
            return None, ""
        share = BudgetAllocationService.get_operation_budget(self.site, operation, total)
        run_left = total - self._run_credits()
        if share is None:
            return run_left, f"run credit budget ({total})"
        share_left = share - result.credits
        if share_left <= run_left:
            return share_left, f"credit budget share of {operation} ({share} of {total})"
        return run_left, f"run credit budget ({total})"

    def _run_credits(self) -> Decimal:
        return AutomationRun.objects.values_list("total_credits_used", flat=True).get(pk=self.run.pk)

    def _run_batches(self, stage: Stage, result: StageResult) -> None:
        """Launch batches while fewer than max_concurrency are in flight, record each as it
        finishes. No batch is launched once a stop is asked (pause, cancel, out of credits,
        budget or limit reached); the ones in flight finish and are recorded first."""
        number, limit = stage.number, stage.limit(self.config)
        # The configured batch size, within what the function accepts in one call.
        batch_size = min(stage.batch_size(self.config), _ai(stage).max_batch)
        pool = self._batch_pool()  # first: its threads connect while the queue is read
        queue_size = stage.queue(self.site).count()
        if queue_size == 0 and result.is_fresh:
            result.finish(SKIPPED, "Nothing to process.")
            self.logger.log(f"Stage {number} ({stage.name}) skipped: nothing to process.", stage=number)
            return
        todo = min(queue_size, limit - result.requested) if limit else queue_size
        done = result.data["batches_run"]
        # The queue is built once per stage (building a query costs about as much as running it).
        selection = self.ai.selection(_ai(stage).name, stage.queue(self.site))
        batches = Batches(stage, selection, batch_size, done, done + math.ceil(max(todo, 0) / batch_size))
        self.logger.log(
            f"Stage {number} ({stage.name}) started: {queue_size} pending, batch size {batch_size}"
            f"{f', per-run limit {limit}' if limit else ''}"
            f"{f', {self.config.max_concurrency} batches at once' if self.config.max_concurrency > 1 else ''}.",
            stage=number,
        )
        try:
            while True:
                while pool.has_room and batches.stop is None and self._launch(stage, result, batches, pool):
                    pass
                if self._tally_due(pool):  # finished batches no launch has written yet (and the stop check)
                    try:
                        self._check_stop(self._save(stage, result, current_processing=batches.current_processing()))
                    except (RunHalted, ClaimLost, WorkerDraining) as exc:
                        batches.stop = batches.stop or exc
                if not pool.in_flight:
                    break
                # None: a batch's provider calls are done (a slot is free), or the tally is due.
                if (finished := pool.next_finished(timeout=self._tally_wait())) is not None:
                    self._record(stage, result, batches, finished)
        finally:
            for finished in pool.drain():  # something raised while batches were in flight
                try:
                    self._record(stage, result, batches, finished, quietly=True)
                except Exception:
                    log.exception("Run %s: batch %s not recorded", self.run.run_id, finished.key)
            if self._unsaved_at is not None:
                try:
                    self._save(stage, result, current_processing=batches.current_processing())
                except Exception:  # e.g. the claim lost: what the items saved stays saved
                    log.exception("Run %s: the tally of stage %s not saved", self.run.run_id, number)
        if isinstance(batches.stop, BaseException):
            raise batches.stop
        if batches.stop is OUT_OF_CREDITS:
            self._out_of_credits(stage, result, batches.reason)
        result.finish(PARTIAL if batches.stop == PARTIAL else COMPLETED, batches.reason)
        data = result.as_json()
        self.logger.log(
            f"Stage {number} ({stage.name}) {result.data['status']} in {data['time_elapsed']}s: "
            f"{data[stage.processed_key]} processed, {data[stage.created_key]} created, "
            f"{data['items_failed']} failed, {data['credits_used']} credits."
            f"{f' {batches.reason}' if batches.reason else ''}",
            stage=number,
        )

    def _batch_pool(self) -> BatchPool:
        """The session's pool: its threads and their database connections serve every stage
        (no new connections per stage); closed when the session ends."""
        if self._pool is None:
            # Inside a transaction (a test's), pool threads could not see its rows: batches run inline.
            inline = transaction.get_connection().in_atomic_block
            self._pool = BatchPool(self.config.max_concurrency, inline=inline)
        return self._pool

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _mark_unsaved(self) -> None:
        if self._unsaved_at is None:
            self._unsaved_at = time.monotonic()

    def _tally_due(self, pool: BatchPool) -> bool:
        """Whether to write the finished batches' tally now. While another batch waits for the
        provider, the next launch's fenced write carries it (one statement per batch, not two),
        but never later than TALLY_LAG after the batch finished."""
        wait = self._tally_wait()
        return wait is not None and (not pool.waiting or wait == 0)

    def _tally_wait(self) -> float | None:
        """How long the loop may block before the tally is due (None: nothing to write)."""
        if self._unsaved_at is None:
            return None
        return max(0.0, TALLY_LAG - (time.monotonic() - self._unsaved_at))

    def _launch(self, stage: Stage, result: StageResult, batches: Batches, pool: BatchPool) -> bool:
        """Select, reserve and launch the next batches, as many as the pool has room for, with
        one select and one fenced write for all of them; False when none may start now."""
        try:
            delay = self.config.within_stage_delay
            if delay and batches.launched and batches.next_items(1):
                pool.resume_saving()  # the answers in save meanwhile, not after the pause
                self._wait(delay)  # between batches, not after the last one
        except (RunHalted, ClaimLost, WorkerDraining) as exc:  # raised once the batches in flight are recorded
            batches.stop = exc
            return False
        limit, size = stage.limit(self.config), batches.size
        wanted = size * (1 if delay else pool.room)  # with a pause between batches they start one by one
        if limit:  # items in flight count against the per-run limit before they finish
            wanted = min(wanted, limit - result.requested - batches.items_in_flight)
            if wanted <= 0:
                if not pool.in_flight and stage.queue(self.site).exclude(pk__in=batches.skip).exists():
                    batches.halt(PARTIAL, f"Per-run limit of {limit} reached.")
                return False
        if batches.dry:
            return False
        items = batches.next_items(wanted)
        while again := [item.pk for item in items if item.pk in batches.attempted]:
            # Still pending after a success (a function that left it so): never twice a session.
            batches.skip.update(again)
            items = batches.next_items(wanted)
        # Fewer than asked for: the queue ran dry. What is in flight either leaves it or is
        # skipped, so no later select of this session would find more (a refused batch aside).
        batches.dry = len(items) < wanted
        allowed, what = self._budget_left(stage, result) if items else (None, "")
        function = _ai(stage).name
        fitting: list[tuple[list[Any], Decimal]] = []  # every estimate is made before anything is reserved
        reserved = batches.reserved  # the batches in flight may still spend their estimate
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            cost = Decimal("0")
            if allowed is not None:
                cost = Decimal(self.ai.estimate(function, [item.pk for item in batch]))
                if cost > allowed - reserved:
                    if not pool.in_flight and not fitting:
                        batches.halt(PARTIAL, f"The {what} is exhausted ({allowed} left, next batch needs {cost}).")
                    break
                reserved += cost
            fitting.append((batch, cost))
        if not fitting:
            return False
        launches = [(batches.start(batch, cost), batch) for batch, cost in fitting]
        try:  # the tally so far, "currently processing" with these batches, and the stop check: one write
            self._check_stop(self._save(stage, result, current_processing=batches.current_processing()))
        except (RunHalted, ClaimLost, WorkerDraining) as exc:
            for key, _ in launches:
                batches.finish(key)  # never launched: its reservation is released
            self._mark_unsaved()  # "currently processing" named them
            batches.stop = exc
            return False
        for key, batch in launches:
            pool.launch(key, functools.partial(self._run_batch, function, batch))
        return True

    def _run_batch(self, function: str, batch: list[Any], signals: CallSignals) -> AIResult:
        """One batch through the engine (in a pool thread), handed the rows it was selected with;
        the engine tells the pool when its provider calls leave and return (`signals`)."""
        ids = [item.pk for item in batch]
        return self.ai.run(function, ids, should_stop=self._stop_requested, rows=batch, signals=signals)

    def _record(
        self, stage: Stage, result: StageResult, batches: Batches, finished: Finished, quietly: bool = False
    ) -> None:
        """Add one finished batch to the stage's tally, credits and log (fenced writes)."""
        batch_no = cast(int, finished.key)  # _launch keys each batch by its number
        ids = batches.finish(batch_no)
        self._mark_unsaved()  # written by the next launch, or within TALLY_LAG
        error = finished.error
        if isinstance(error, InsufficientCredits):  # checked before any provider call: nothing done
            batches.halt(OUT_OF_CREDITS, str(error))
            return
        if isinstance(error, InvalidInput):  # e.g. an item deleted by the user since it was selected
            self.logger.warning(f"Batch {batch_no} refused: {error}", stage=stage.number)
            if not batches.refused.intersection(ids):
                batches.refused.update(ids)
                batches.dry = False
                return  # selected again from the queue as it is now
            ai = _refused(_ai(stage).name, ids, error)  # refused twice: count as failed, move on
        elif error is not None:
            if not quietly:
                raise error
            log.error("Batch %s of run %s failed after a stop: %r", batch_no, self.run.run_id, error)
            return
        else:
            ai = cast(AIResult, finished.value)
        result.add(ai, len(ids) - len(ai.not_attempted))
        # Still pending after the batch: its failed and not attempted items (never re-picked).
        batches.attempted.update(ids)
        batches.skip.update([int(item["id"]) for item in ai.failed] + list(ai.not_attempted))
        self.logger.log(
            f"Batch {batch_no}/{max(batches.total, batch_no)}: {len(ids)} items, "
            f"{ai.items_processed} done, {ai.items_failed} failed, {ai.credits_used} credits"
            + "".join(f"; item {f.get('id')} failed: {f.get('error')}" for f in ai.failed[:5]),
            stage=stage.number,
            level="WARN" if ai.items_failed else "INFO",
        )
        for note in ai.notes:
            self.logger.log(note, stage=stage.number)
        short = next((f for f in ai.failed if f.get("code") == OUT_OF_CREDITS), None)
        if short is not None:  # the balance ran out part-way through the batch
            batches.halt(OUT_OF_CREDITS, short.get("error", ""))

    def _out_of_credits(self, stage: Stage, result: StageResult, detail: str) -> None:
        """Stop cleanly. The engine checks the balance before each provider call, so nothing
        unpaid was generated; the items not done stay pending for the next run."""
        message = (
            f"Out of credits at stage {stage.number} ({stage.name}): {detail} "
            f"Finished items are kept; add credits and start a new run."
        )
        result.finish(PARTIAL, "Out of credits.")
        self._save(stage, result, current_processing=None)
        self.logger.error(message, stage=stage.number)
        self.held.finish(
            RunStatus.FAILED, completed_at=timezone.now(), stopped_reason=message[:500], error_message=message
        )
        raise RunHalted(RunStatus.FAILED)
