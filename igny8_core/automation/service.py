"""AutomationService: start / pause / resume / cancel a run, and execute it.

Execution is one loop over the seven stage descriptions (stages.py). Per batch it:
selects the next batch fresh from the database (status-driven, so resume and recovery never
redo work) -> reserves its credits against the budget -> one fenced write of the stage tally
(the batches finished since the last write), the ledger's credits, the heartbeat and
"currently processing", whose returned status is the stop check (pause / cancel / a lost
claim stop the launch) -> hands the batch to the AI engine -> logs. Everything needed to
continue lives on the run row.
"""

import logging
import math
import time
from datetime import timedelta
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from igny8_core.accounts.models import Site
from igny8_core.ai.engine import AIEngine, AIResult
from igny8_core.ai.exceptions import InvalidInput
from igny8_core.billing.budget import BudgetAllocationService
from igny8_core.billing.services import InsufficientCredits

from . import ledger, reporting, schedule
from . import lock as site_lock
from .claim import Heartbeat, RunClaim
from .exceptions import AlreadyRunning, ClaimLost, InvalidRunState, LockHeld, SiteGone
from .images import IMAGE_STAGES, images_off_reason, release_drafts
from .inflight import BatchPool
from .logger import RunLogger
from .models import (
    ACTIVE_STATUSES,
    AutomationConfig,
    AutomationRun,
    RunStatus,
    TriggerType,
    new_run_id,
)
from .results import COMPLETED, FINAL, PARTIAL, SKIPPED, StageResult, close_open_stages
from .stages import STAGES
from .stages import stage as stage_by_number

log = logging.getLogger(__name__)
SCHEDULE_FIELDS = {"is_enabled", "frequency", "scheduled_time"}
DELAY_SLICE = 1.0  # seconds: how often a delay re-checks pause / cancel


class InsufficientCreditsForRun(InsufficientCredits):
    """Raised by start_automation: carries the estimate besides required and balance."""

    def __init__(self, required, available, estimate):
        super().__init__(required, available, "automation run")
        self.estimate = Decimal(estimate)


class RunHalted(Exception):
    """The run stopped on purpose (paused, cancelled, out of credits): end this session."""


class WorkerDraining(Exception):
    """The worker is shutting down (warm): hand the run over after the in-flight item."""


def _engine_factory(account, site) -> AIEngine:
    return AIEngine(account, site)  # the provider comes from settings.IGNY8_AI_PROVIDER


def _refused(function_name: str, ids: list[int], exc: Exception) -> AIResult:
    """An AIResult for a batch the engine refused as a whole: every item failed, nothing done."""
    return AIResult(
        function=function_name,
        items_requested=len(ids),
        items_failed=len(ids),
        failed=[{"id": item_id, "error": str(exc), "code": "invalid_input"} for item_id in ids],
    )


OUT_OF_CREDITS = "insufficient_credits"  # AIResult.failed code of items left pending for lack of credits


def _worker_alive(run: AutomationRun) -> bool:
    """The run's worker beat recently (it beats even while paused, until it stops)."""
    stale = timezone.now() - timedelta(seconds=settings.AUTOMATION_STALE_AFTER)
    return run.heartbeat_at is not None and run.heartbeat_at >= stale


class AutomationService:
    engine_factory = staticmethod(_engine_factory)  # tests may inject a fake engine

    # ------------------------------------------------------------------ control
    @staticmethod
    def start_automation(site, trigger_type: str = TriggerType.MANUAL) -> AutomationRun:
        """Insert a running run (the DB constraint decides who wins) and enqueue it.

        Raises AlreadyRunning when the site has a running or paused run, and
        InsufficientCreditsForRun when the balance is below 1.2 x the estimate."""
        config = AutomationConfig.for_site(site)
        active = AutomationRun.objects.filter(site=site, status__in=ACTIVE_STATUSES).first()
        if active:
            raise AlreadyRunning(active.run_id)
        estimate = reporting.estimate_credits(site, config)
        if not estimate["sufficient"]:
            raise InsufficientCreditsForRun(
                estimate["required"], estimate["current_balance"], estimate["estimated_credits"]
            )
        now = timezone.now()
        run = AutomationRun(
            account_id=site.account_id,
            site=site,
            run_id=new_run_id(trigger_type, now),
            trigger_type=trigger_type,
            status=RunStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            epoch=1,
            initial_snapshot=reporting.initial_snapshot(site),
        )
        with transaction.atomic():
            # The site's row lock orders this start with a deletion of the site, which holds it
            # while it checks for active runs: whichever comes second sees the other's outcome.
            if not Site.objects.select_for_update().filter(pk=site.pk).exists():
                raise SiteGone()
            try:
                with transaction.atomic():
                    run.save()
            except IntegrityError:
                raise AlreadyRunning() from None
            snapshot, credits = run.initial_snapshot, estimate["estimated_credits"]
            transaction.on_commit(
                lambda: RunLogger(run).log(
                    f"Run started ({trigger_type}). Queues: {snapshot['total_initial_items']} items "
                    f"({', '.join(str(snapshot[f'stage_{n}_initial']) for n in range(1, 8))}). "
                    f"Estimated credits {credits}, balance {estimate['current_balance']}."
                )
            )
            from .tasks import enqueue  # the tasks call this service

            enqueue(run)
        return run

    @staticmethod
    def pause(run: AutomationRun) -> AutomationRun:
        """Cooperative: the worker stops after its current item and releases the lock."""
        now = timezone.now()
        if not AutomationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.PAUSED, paused_at=now, stopped_reason="Paused by user."
        ):
            run.refresh_from_db()
            raise InvalidRunState(f"Only a running run can be paused; {run.run_id} is {run.status}.")
        run.refresh_from_db()
        RunLogger(run).log("Paused by user; the current item finishes first.", stage=run.current_stage)
        return run

    @staticmethod
    def resume(run: AutomationRun) -> AutomationRun:
        """Continue a paused run from current_stage with a new claim (ticket)."""
        run.refresh_from_db()
        if run.status != RunStatus.PAUSED:
            raise InvalidRunState(f"Only a paused run can be resumed; {run.run_id} is {run.status}.")
        holder = site_lock.holder(run.site_id)
        if holder:
            parsed = site_lock.parse_token(holder)
            other = (
                None
                if parsed is None
                else AutomationRun.objects.filter(pk=parsed[0], status__in=ACTIVE_STATUSES).exclude(pk=run.pk).first()
            )
            if parsed is None or other is not None:
                who = f"run {other.run_id}" if other else "another holder"
                raise LockHeld(f"Cannot resume {run.run_id}: the site's automation lock is held by {who}.")
            if parsed[0] == run.pk and _worker_alive(run):
                # The paused worker is still finishing its current item (it releases the lock when
                # it stops). A new claim now would supersede it mid-item: its item would be
                # selected again and its tally and credits never recorded.
                raise LockHeld(
                    f"Cannot resume {run.run_id} yet: its worker is still finishing its current item. "
                    "Try again in a moment."
                )
        now = timezone.now()
        with transaction.atomic():
            if not AutomationRun.objects.filter(pk=run.pk, status=RunStatus.PAUSED).update(
                status=RunStatus.RUNNING,
                resumed_at=now,
                epoch=F("epoch") + 1,
                claimed_at=None,
                heartbeat_at=now,
                stopped_reason="",
            ):
                raise InvalidRunState(f"{run.run_id} is no longer paused.")
            run.refresh_from_db()
            from .tasks import enqueue  # the tasks call this service

            enqueue(run, resume=True)
        RunLogger(run).log(f"Resumed by user at stage {run.current_stage}.", stage=run.current_stage)
        return run

    @staticmethod
    def cancel(run: AutomationRun) -> AutomationRun:
        """Final. The worker stops after its current item; the lock is released now, so a new
        run can start at once (the old worker's writes are refused by the run's status)."""
        now = timezone.now()
        if not AutomationRun.objects.filter(pk=run.pk, status__in=ACTIVE_STATUSES).update(
            status=RunStatus.CANCELLED,
            cancelled_at=now,
            completed_at=now,
            current_processing=None,
            stopped_reason="Cancelled by user.",
        ):
            run.refresh_from_db()
            raise InvalidRunState(f"Only a running or paused run can be cancelled; {run.run_id} is {run.status}.")
        close_open_stages(run.pk)  # a worker still on it closes them again when it stops
        run.refresh_from_db()
        released = site_lock.release_token(run.site_id, run.lock_token)
        RunLogger(run).log(
            f"Cancelled by user at stage {run.current_stage}{'; site lock released' if released else ''}.",
            stage=run.current_stage,
        )
        return run

    @staticmethod
    def update_config(config: AutomationConfig, changes: dict) -> AutomationConfig:
        """Apply validated changes; a changed schedule gets a new next_run_at."""
        for name, value in changes.items():
            setattr(config, name, value)
        fields = {*changes, "updated_at"}
        if SCHEDULE_FIELDS & set(changes) or (config.is_enabled and config.next_run_at is None):
            schedule.refresh_next_run(config)
            fields.add("next_run_at")
        # Only what this edit changed: a full save of a config loaded before the hourly check
        # started a run would rewind next_run_at / last_run_at, and the run would start again.
        config.save(update_fields=fields)
        return config

    # ------------------------------------------------------------------ queries
    estimate_credits = staticmethod(reporting.estimate_credits)
    pipeline_overview = staticmethod(reporting.pipeline_overview)
    run_progress = staticmethod(reporting.run_progress)
    current_processing = staticmethod(reporting.current_processing)

    # ------------------------------------------------------------------ execution
    def __init__(self, run: AutomationRun, claim: RunClaim | None = None, engine=None, draining=None):
        self.run = run
        # Asked between items: is this worker shutting down? (tasks.py passes shutdown.checker)
        self.draining = draining or (lambda: False)
        self.site = run.site
        self.account = run.account
        self.config = AutomationConfig.for_site(self.site)
        self.claim = claim
        self.engine = engine
        self.logger = RunLogger(run)
        self._unsaved = False  # a batch finished since the stage's last fenced write

    @classmethod
    def from_run_id(cls, run_id: str, **kwargs) -> "AutomationService":
        return cls(AutomationRun.objects.select_related("site", "account").get(run_id=run_id), **kwargs)

    @classmethod
    def claim_run(cls, run_id: str, ticket: int | None = None, **kwargs) -> "AutomationService | None":
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
            raise ValueError("execute() needs a claim: use AutomationService.claim_run().")
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
        from .tasks import enqueue  # the tasks call this service

        ticket = self.claim.epoch + 1
        self.claim.update(epoch=ticket, claimed_at=None, heartbeat_at=timezone.now(), current_processing=None)
        self.run.epoch = ticket
        enqueue(self.run, resume=True)
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
            self.claim.finish(
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
        if self.claim.finish(RunStatus.COMPLETED, completed_at=timezone.now()):
            self.run.refresh_from_db()
            self.logger.log(f"Run completed. Credits used: {self.run.total_credits_used}.")
            return RunStatus.COMPLETED
        return self._db_status()

    def _check_stop(self, status: str | None = None) -> None:
        """Stop unless the run is running (`status`: as a fenced write just returned it)."""
        if status is None:
            status = self.claim.checkpoint()
        if status != RunStatus.RUNNING:
            self.logger.log(f"Worker stopped: run is {status}.", stage=self.run.current_stage)
            raise RunHalted(status)
        if self.draining():
            raise WorkerDraining()

    def _stop_requested(self) -> bool:
        """Asked by the engine between the items of a batch: pause / cancel / a worker shutdown
        wait for one item only."""
        return self.claim.checkpoint() != RunStatus.RUNNING or self.draining()

    def _wait(self, seconds: float) -> None:
        """Sleep, re-checking pause / cancel every second, so a long delay never delays them."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(DELAY_SLICE, left))
            self._check_stop()

    # One loop for every stage; run_stage_1 ... run_stage_7 are thin names for it.
    def run_stage(self, number: int) -> dict:
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

    def run_stage_1(self):
        return self.run_stage(1)

    def run_stage_2(self):
        return self.run_stage(2)

    def run_stage_3(self):
        return self.run_stage(3)

    def run_stage_4(self):
        return self.run_stage(4)

    def run_stage_5(self):
        return self.run_stage(5)

    def run_stage_6(self):
        return self.run_stage(6)

    def run_stage_7(self):
        return self.run_stage(7)

    def _save(self, stage, result: StageResult, **fields) -> str:
        """Write the stage's tally with a fenced UPDATE; returns the run's status it found.
        Credits from the ledger (what this run's deductions add up to, summed by the same
        statement), never a running sum."""
        self.claim.raise_if_lost()
        data = result.as_json()
        written = ledger.save_with_credits(
            self.run.pk, self.claim.epoch, stage.result_field, data, stage.operation, fields
        )
        if written is None:
            raise ClaimLost(f"Run {self.run.pk}: epoch {self.claim.epoch} is stale; another claim took over.")
        status, self.run.total_credits_used, stage_credits = written
        if stage.operation:
            result.data["credits_used"] = data["credits_used"] = stage_credits
        setattr(self.run, stage.result_field, data)
        if "current_stage" in fields:
            self.run.current_stage = fields["current_stage"]
        self._unsaved = False
        return str(status)

    def _run_gate(self, stage, result: StageResult) -> None:
        from igny8_core.publishing.review_gate import process_review_gate

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

    def _budget_left(self, stage, result: StageResult) -> tuple[Decimal | None, str]:
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

    def _run_batches(self, stage, result: StageResult) -> None:
        """Launch batches while fewer than max_concurrency are in flight, record each as it
        finishes. No batch is launched once a stop is asked (pause, cancel, out of credits,
        budget or limit reached); the ones in flight finish and are recorded first."""
        number, limit = stage.number, stage.limit(self.config)
        # The configured batch size, within what the function accepts in one call.
        batch_size = min(stage.batch_size(self.config), stage.ai.max_batch)
        queue_size = stage.queue(self.site).count()
        if queue_size == 0 and result.is_fresh:
            result.finish(SKIPPED, "Nothing to process.")
            self.logger.log(f"Stage {number} ({stage.name}) skipped: nothing to process.", stage=number)
            return
        todo = min(queue_size, limit - result.requested) if limit else queue_size
        done = result.data["batches_run"]
        batches = _Batches(stage, batch_size, done, done + math.ceil(max(todo, 0) / batch_size))
        self.logger.log(
            f"Stage {number} ({stage.name}) started: {queue_size} pending, batch size {batch_size}"
            f"{f', per-run limit {limit}' if limit else ''}"
            f"{f', {self.config.max_concurrency} batches at once' if self.config.max_concurrency > 1 else ''}.",
            stage=number,
        )
        pool = BatchPool(self.config.max_concurrency)
        try:
            while True:
                while pool.has_room and batches.stop is None and self._launch(stage, result, batches, pool):
                    pass
                if self._unsaved:  # finished batches no launch has written yet (and the stop check)
                    try:
                        self._check_stop(self._save(stage, result, current_processing=batches.current_processing()))
                    except (RunHalted, ClaimLost, WorkerDraining) as exc:
                        batches.stop = batches.stop or exc
                if not pool.in_flight:
                    break
                self._record(stage, result, batches, pool.next_finished())
        finally:
            for finished in pool.drain():  # something raised while batches were in flight
                try:
                    self._record(stage, result, batches, finished, quietly=True)
                except Exception:
                    log.exception("Run %s: batch %s not recorded", self.run.run_id, finished.key)
            if self._unsaved:
                try:
                    self._save(stage, result, current_processing=batches.current_processing())
                except Exception:  # e.g. the claim lost: what the items saved stays saved
                    log.exception("Run %s: the tally of stage %s not saved", self.run.run_id, number)
            pool.close()
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

    def _launch(self, stage, result: StageResult, batches: "_Batches", pool: BatchPool) -> bool:
        """Select, reserve and launch the next batch; False when none may start now."""
        try:
            delay = self.config.within_stage_delay
            if delay and batches.launched and self._pending(stage, batches).exists():
                self._wait(delay)  # between batches, not after the last one
        except (RunHalted, ClaimLost, WorkerDraining) as exc:  # raised once the batches in flight are recorded
            batches.stop = exc
            return False
        limit, size = stage.limit(self.config), batches.size
        if limit:  # items in flight count against the per-run limit before they finish
            size = min(size, limit - result.requested - batches.items_in_flight)
            if size <= 0:
                if not pool.in_flight and stage.queue(self.site).exclude(pk__in=batches.skip).exists():
                    batches.halt(PARTIAL, f"Per-run limit of {limit} reached.")
                return False
        batch = list(self._pending(stage, batches)[:size])
        while again := [item.pk for item in batch if item.pk in batches.attempted]:
            # Still pending after a success (a function that left it so): never twice a session.
            batches.skip.update(again)
            batch = list(self._pending(stage, batches)[:size])
        if not batch:
            return False
        ids = [item.pk for item in batch]
        cost = Decimal("0")
        allowed, what = self._budget_left(stage, result)
        if allowed is not None:  # reserved: the batches in flight may still spend their estimate
            cost = Decimal(self.engine.estimate(stage.function, ids))
            left = allowed - batches.reserved
            if cost > left:
                if not pool.in_flight:
                    batches.halt(PARTIAL, f"The {what} is exhausted ({allowed} left, next batch needs {cost}).")
                return False
        key = batches.start(batch, cost)
        try:  # the tally so far, "currently processing" with this batch, and the stop check: one write
            self._check_stop(self._save(stage, result, current_processing=batches.current_processing()))
        except (RunHalted, ClaimLost, WorkerDraining) as exc:
            batches.finish(key)  # never launched: its reservation is released
            self._unsaved = True  # "currently processing" named it
            batches.stop = exc
            return False
        pool.launch(key, lambda: self.engine.run(stage.function, ids, should_stop=self._stop_requested))
        return True

    def _pending(self, stage, batches: "_Batches"):
        """The stage's queue less the items in flight and those already attempted."""
        return stage.queue(self.site).exclude(pk__in=batches.skip | batches.busy)

    def _record(self, stage, result: StageResult, batches: "_Batches", finished, quietly: bool = False) -> None:
        """Add one finished batch to the stage's tally, credits and log (fenced writes)."""
        batch_no, ids = finished.key, batches.finish(finished.key)
        self._unsaved = True  # written by the next launch, or after the loop
        error = finished.error
        if isinstance(error, InsufficientCredits):  # checked before any provider call: nothing done
            batches.halt(OUT_OF_CREDITS, str(error))
            return
        if isinstance(error, InvalidInput):  # e.g. an item deleted by the user since it was selected
            self.logger.warning(f"Batch {batch_no} refused: {error}", stage=stage.number)
            if not batches.refused.intersection(ids):
                batches.refused.update(ids)
                return  # selected again from the queue as it is now
            ai = _refused(stage.function, ids, error)  # refused twice: count as failed, move on
        elif error is not None:
            if not quietly:
                raise error
            log.error("Batch %s of run %s failed after a stop: %r", batch_no, self.run.run_id, error)
            return
        else:
            ai = finished.value
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

    def _out_of_credits(self, stage, result: StageResult, detail: str) -> None:
        """Stop cleanly. The engine checks the balance before each provider call, so nothing
        unpaid was generated; the items not done stay pending for the next run."""
        message = (
            f"Out of credits at stage {stage.number} ({stage.name}): {detail} "
            f"Finished items are kept; add credits and start a new run."
        )
        result.finish(PARTIAL, "Out of credits.")
        self._save(stage, result, current_processing=None)
        self.logger.error(message, stage=stage.number)
        self.claim.finish(
            RunStatus.FAILED, completed_at=timezone.now(), stopped_reason=message[:500], error_message=message
        )
        raise RunHalted(RunStatus.FAILED)


class _Batches:
    """The loop's bookkeeping for one stage session: batches in flight (ids and reserved
    credits), items never to pick again, and why no further batch may start."""

    def __init__(self, stage, size: int, done: int, total: int):
        self.stage, self.size, self.total = stage, size, total
        self.in_flight: dict[int, tuple[list, Decimal]] = {}  # batch number -> (items, reserved credits)
        self.skip: set[int] = set()  # attempted but still pending (failed items): never re-picked
        self.attempted: set[int] = set()  # every item of a recorded batch
        self.refused: set[int] = set()  # ids of batches the engine refused as a whole (retried once)
        self.last_number = done  # batches are numbered on from those of earlier sessions
        self.launched = 0
        self.stop: object = None  # PARTIAL, OUT_OF_CREDITS or the RunHalted / ClaimLost to raise
        self.reason = ""

    @property
    def busy(self) -> set[int]:
        return {item.pk for items, _ in self.in_flight.values() for item in items}

    @property
    def items_in_flight(self) -> int:
        return sum(len(items) for items, _ in self.in_flight.values())

    @property
    def reserved(self) -> Decimal:
        return sum((cost for _, cost in self.in_flight.values()), Decimal("0"))

    def start(self, items: list, cost: Decimal) -> int:
        self.launched += 1
        self.last_number += 1
        number = self.last_number
        self.in_flight[number] = (items, cost)
        return number

    def finish(self, number: int) -> list[int]:
        items, _ = self.in_flight.pop(number)
        return [item.pk for item in items]

    def halt(self, why, reason: str = "") -> None:
        if self.stop is None:
            self.stop, self.reason = why, reason

    def current_processing(self) -> dict | None:
        if not self.in_flight:
            return None
        number = max(self.in_flight)
        return {
            "stage": self.stage.number,
            "stage_name": self.stage.name,
            "batch": number,
            "total_batches": max(self.total, number),
            "items": [
                {"id": item.pk, "title": str(self.stage.label(item))[:200]}
                for items, _ in self.in_flight.values()
                for item in items
            ],
            "started_at": timezone.now().isoformat(),
        }
