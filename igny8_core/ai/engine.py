"""AIEngine: the one path every AI function runs through.

    validate ids and load the items with the balance (one query) -> skip items no longer
    pending -> credit check of the whole call
    then per work unit (one item, or the whole batch for auto_cluster):
        credit check of the unit (the call's for the first) -> prompt -> provider
        -> JSON-schema validated answer
        -> one transaction { lock + re-read the items, save, CreditService.deduct with an
           idempotency key, AIRequestLog row }

The per-item path is kept lean (the pipeline runs it thousands of times): costs are read once
per engine (CreditService.cached_costs, at most a minute old), the balance once per unit, the
items locked and re-read by one statement (two where the function's pending state is not on the row), ItemFailure rows deleted only where one exists, the charge
is one statement. A unit whose commit hits a unique constraint (a concurrent writer took a
slug meanwhile) is committed once more from a fresh locked re-read: the answer is not lost.

Because saving and charging commit together, a crash before the commit leaves nothing
saved and nothing charged, and a retry finds its items either still pending (done once)
or already done (skipped, never charged twice). One failed unit never loses another's work.

Whatever the provider does for one unit (an AIError, or any other exception of the SDK or the
transport) fails that unit only: it gets a `code`, an AIRequestLog row, one more attempt in
its ItemFailure row (failures.py) and no charge. Only infrastructure errors (the database
gone) and the run's soft time limit propagate: the run then stops where it can be resumed.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Protocol

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from igny8_core.accounts.models import Account
from igny8_core.billing.services import CreditService, InsufficientCredits
from igny8_core.compiled_query import CompiledQuery

from . import failures
from .exceptions import AIError, InvalidInput, ProviderError
from .functions import get_function
from .functions.base import AIFunction, Context, Generation
from .models import AIRequestLog, ItemFailure
from .pricing import PriceBook
from .providers import AIProvider, get_provider

log = logging.getLogger(__name__)


@dataclass
class AIResult:
    function: str
    items_requested: int
    items_processed: int = 0  # items that succeeded
    items_failed: int = 0
    created_ids: list[int] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # {"id", "error", "code"[, "attempts"]}
    credits_used: Decimal = Decimal("0.00")
    stats: dict = field(default_factory=dict)
    # Items left untouched (still pending) because the caller asked to stop between items.
    not_attempted: list[int] = field(default_factory=list)
    # What the provider was asked and bills (USD), failed calls included.
    prompt_tokens: int = 0
    completion_tokens: int = 0
    provider_cost: Decimal = Decimal("0")
    notes: list[str] = field(default_factory=list)  # what the run log should say (e.g. skipped duplicates)

    def fail(self, ids, error: str, code: str, attempts: dict | None = None) -> None:
        for item_id in ids:
            entry = {"id": item_id, "error": error, "code": code}
            if attempts and item_id in attempts:
                entry["attempts"] = attempts[item_id]
            self.failed.append(entry)
        self.items_failed = len(self.failed)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["credits_used"] = str(self.credits_used)
        data["provider_cost"] = str(self.provider_cost)
        return data


def clean_ids(ids, max_batch: int, label: str) -> list[int]:
    if ids is None or isinstance(ids, (str, bytes, dict)):
        raise InvalidInput(f"Give a list of {label} ids.")
    cleaned = []
    for value in ids:
        if isinstance(value, bool):
            raise InvalidInput(f"Invalid {label} id: {value!r}.")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(f"Invalid {label} id: {value!r}.") from None
        if number <= 0 or str(number) != str(value).strip():
            raise InvalidInput(f"Invalid {label} id: {value!r}.")
        if number not in cleaned:
            cleaned.append(number)
    if not cleaned:
        raise InvalidInput(f"No {label} ids given.")
    if len(cleaned) > max_batch:
        raise InvalidInput(f"At most {max_batch} {label} ids per call, got {len(cleaned)}.")
    return cleaned


class CallSignals(Protocol):
    """What run() tells its caller about a batch's provider calls (the pipeline's pool)."""

    def calling(self) -> None:
        """The batch's first provider call is about to leave."""

    def answered(self) -> None:
        """Its last provider call has returned (or failed); the answer is not saved yet."""


class AIEngine:
    def __init__(self, account, site, provider: AIProvider | None = None):
        if site.account_id != account.pk:
            raise InvalidInput("The site does not belong to this account.")
        self.account = account
        self.site = site
        self._provider = provider
        self._prices = PriceBook()
        self._costs: dict = {}  # the cost table as this engine read it (CreditService.cached_costs)
        self._locking: dict[str, tuple[CompiledQuery | None, CompiledQuery]] = {}  # per function
        self.ctx = Context(account, site, self._get_provider)
        self.run_pk: int | None = None  # the automation run this engine works for (ledger rows, failures)

    def for_run(self, run_pk: int | None) -> "AIEngine":
        """Attribute every charge and failure from now on to this automation run."""
        self.run_pk = run_pk
        return self

    def _get_provider(self) -> AIProvider:
        if self._provider is None:  # created on first use: local functions need no provider
            self._provider = get_provider(account=self.account)
        return self._provider

    # --- public ----------------------------------------------------------------------
    def estimate(self, name: str, ids) -> Decimal:
        """Upper estimate of what run(name, ids) would charge now (pending items only)."""
        fn = get_function(name)
        with CreditService.cached_costs(self._costs):
            pending, _ = self._pending(fn, self._load(fn, ids)[0])
            return fn.estimate(self.ctx, pending)

    def selection(self, name: str, queryset: QuerySet) -> QuerySet:
        """`queryset` (the function's items, e.g. its pending queue) loaded as run() reads them,
        with the account's balance: the pipeline selects each batch from it, in one query, and
        hands the rows to run(), which then reads nothing before the provider call."""
        fn = get_function(name)
        balance = Account.objects.filter(pk=self.account.pk).values("credits_balance")
        selection: QuerySet = fn.with_details(queryset).annotate(_account_balance=Subquery(balance))
        return selection

    def run(
        self,
        name: str,
        ids,
        should_stop: Callable[[], bool] | None = None,
        rows: list | None = None,
        signals: CallSignals | None = None,
    ) -> AIResult:
        """Process `ids`. `should_stop` is asked between items (not before the first): when it
        answers True the rest are left untouched, still pending, and listed in `not_attempted`
        (the pipeline's pause / cancel take effect after the current item). `rows`: the items
        as selected from selection() (this site's), instead of reading them again. `signals`:
        told when the first item's provider call is about to leave and when the last one has
        returned (before its answer is saved), so the pipeline can start its next batch's
        call and keep its own work out of the way of the requests leaving."""
        fn = get_function(name)
        with CreditService.cached_costs(self._costs):
            return self._run(fn, ids, should_stop, rows, signals)

    def _run(self, fn: AIFunction, ids, should_stop, rows: list | None = None, signals=None) -> AIResult:
        if rows is not None and [item.pk for item in rows] == ids and rows:
            items, balance = rows, rows[0]._account_balance
        else:
            items, balance = self._load(fn, ids, with_balance=bool(fn.operation))
        result = AIResult(function=fn.name, items_requested=len(items), stats=dict.fromkeys(fn.stat_keys, 0))
        pending, skipped = self._pending(fn, items)
        for item, reason in skipped:
            result.fail([item.pk], reason, "not_pending")
        if fn.operation and pending:
            # Refused before any provider call: nothing is generated, saved or charged.
            CreditService.check(self.account, fn.estimate(self.ctx, pending), fn.operation, available=balance)
        outage = False
        units = fn.units(pending)
        for n, unit in enumerate(units):
            # A provider still failing after its bounded retries is down: the rest of the batch
            # is left pending for a later run rather than failed without ever being tried.
            if n and (outage or (should_stop is not None and should_stop())):
                result.not_attempted = [item.pk for rest in units[n:] for item in rest]
                break
            # The first unit was checked with the whole call, on the balance just read.
            last = n == len(units) - 1 and not fn.builds_on_earlier_batches  # else: free once saved
            hooks = (signals.calling if signals and n == 0 else None, signals.answered if signals and last else None)
            error = self._run_unit(fn, unit, result, check_credits=n > 0, hooks=hooks)
            outage = isinstance(error, ProviderError) and error.transient
        return result

    # --- steps -----------------------------------------------------------------------
    def _load(self, fn: AIFunction, ids, with_balance: bool = False) -> tuple[list, Decimal | None]:
        """The items in the order asked, and (with_balance) the account's balance read by the
        same query."""
        ids = clean_ids(ids, fn.max_batch, fn.item_label)
        query = fn.queryset(self.site).filter(pk__in=ids)
        if with_balance:
            balance = Account.objects.filter(pk=self.account.pk).values("credits_balance")
            query = query.annotate(_account_balance=Subquery(balance))
        found = {item.pk: item for item in query}
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidInput(f"No {fn.item_label} with id(s) {missing} in site {self.site.pk} of this account.")
        items = [found[i] for i in ids]
        return items, (items[0]._account_balance if with_balance else None)

    @staticmethod
    def _pending(fn: AIFunction, items: list):
        pending, skipped = [], []
        for item in items:
            reason = fn.pending_reason(item)
            (skipped.append((item, reason)) if reason else pending.append(item))
        return pending, skipped

    def _run_unit(self, fn: AIFunction, unit: list, result: AIResult, check_credits: bool = True, hooks=(None, None)):
        ids = [item.pk for item in unit]
        if fn.operation and check_credits:
            try:  # re-checked per unit: the balance may have moved since the call started
                CreditService.check(self.account, fn.estimate(self.ctx, unit), fn.operation)
            except InsufficientCredits as exc:
                result.fail(ids, str(exc), "insufficient_credits")  # left pending for a later run
                return exc
        started = time.monotonic()
        row = self._log_row(fn, ids)
        result.stats[fn.processed_stat] = result.stats.get(fn.processed_stat, 0) + len(unit)
        try:
            calling, answered = hooks
            if calling is not None:
                calling()
            try:
                generation = fn.generate(self.ctx, unit)
            finally:
                if answered is not None:
                    answered()
            self._fill_usage(row, generation)
            if fn.kind == "image":  # billed once made, whatever happens to it afterwards
                row.provider_cost = self._prices.cost(
                    model=row.model, variant=self._get_provider().for_role("image").image_variant, images=len(unit)
                )
            prepared = fn.prepare(self.ctx, unit, generation)
        except AIError as exc:
            self._fill_usage(row, getattr(exc, "usage", None), attempts=getattr(exc, "attempts", None))
            self._fail_unit(fn, unit, result, exc, row, started)
            return exc
        except (SoftTimeLimitExceeded, OperationalError, InterfaceError):
            raise  # the run's stop or the database gone: not this item's fault
        except Exception as exc:  # anything else a provider raised: this unit fails, the batch goes on
            log.exception("%s: the provider failed on %s %s", fn.name, fn.item_label, ids)
            error = ProviderError(f"Unexpected provider error: {type(exc).__name__}: {exc}")
            self._fail_unit(fn, unit, result, error, row, started)
            return error
        try:
            saved, charged, gone = self._commit(fn, ids, prepared, row, started)
        except InsufficientCredits as exc:
            fn.discard(prepared)
            result.fail(ids, str(exc), "insufficient_credits")
            self._write_log(row, started, error=str(exc), code="insufficient_credits", result=result)
            return exc
        except AIError as exc:
            fn.discard(prepared)
            self._fail_unit(fn, unit, result, exc, row, started)
            return exc
        except (SoftTimeLimitExceeded, OperationalError, InterfaceError):
            fn.discard(prepared)  # the run's cooperative stop, or the database gone
            raise
        except Exception as exc:  # a bug or a database error: fail this unit, keep the batch going
            log.exception("%s: saving %s %s failed", fn.name, fn.item_label, ids)
            fn.discard(prepared)
            self._fail_unit(
                fn, unit, result, AIError(f"Could not save the result: {type(exc).__name__}: {exc}"), row, started
            )
            return exc
        except BaseException:  # interrupted (worker shutdown, time limit): rolled back, files too
            fn.discard(prepared)
            raise
        for item_id in gone:
            result.fail(
                [item_id], f"{fn.item_label} {item_id} was completed by another process meanwhile", "not_pending"
            )
        self._tally(row, result)  # the row was written with the items (or the unit found them gone)
        if saved is None:
            return None
        for item_id, code, message in saved.failed:
            self._fail_items(fn, [item_id], result, message, code)
        result.items_processed += len(saved.processed_ids)
        result.created_ids.extend(saved.created_ids)
        result.credits_used += charged
        for key, value in saved.stats.items():
            result.stats[key] = result.stats.get(key, 0) + value
        result.notes.extend(saved.notes)
        return None

    def _commit(self, fn: AIFunction, ids: list[int], prepared, row: AIRequestLog, started):
        """Save, charge and log in one transaction; once more if a unique constraint refused it
        (a concurrent writer: the second try re-reads what it committed). Returns (saved | None,
        credits charged, ids gone)."""
        try:
            try:
                return self._commit_once(fn, ids, prepared, row, started)
            except IntegrityError:
                log.info("%s: %s %s met a concurrent write; committing once more", fn.name, fn.item_label, ids)
                row.pk, row._state.adding = None, True
                return self._commit_once(fn, ids, prepared, row, started)
        except BaseException:
            row.pk, row._state.adding = None, True  # rolled back: the row is written on its own
            raise

    def _commit_once(self, fn: AIFunction, ids: list[int], prepared, row: AIRequestLog, started):
        with transaction.atomic():
            lock, read = self._locking_reads(fn)
            if lock is not None:
                # Lock first, then re-read: the second statement sees everything committed by a
                # concurrent twin that held the lock before us (annotations included).
                lock(ids)
            # With no separate lock, the read is the locking read: it waits for a concurrent
            # twin and returns the row as it committed it (its status already says "done").
            current = [item for item in read(ids) if fn.pending_reason(item) is None]
            gone = [i for i in ids if i not in {item.pk for item in current}]
            if not current:
                fn.discard(prepared)
                self._close_log(row, started)
                self._save_log(row)
                return None, Decimal("0.00"), gone
            order = {item_id: n for n, item_id in enumerate(ids)}
            current.sort(key=lambda item: order[item.pk])
            saved = fn.save(self.ctx, current, prepared)
            processed = set(saved.processed_ids)
            if cleared := [item.pk for item in current if item.pk in processed and item._had_failure]:
                failures.clear(fn.name, cleared)
            charged = Decimal("0.00")
            if fn.operation and saved.quantity > 0:
                amount = CreditService.cost_for(fn.operation, saved.quantity, saved.variant)
                if amount > 0:
                    charge = CreditService.deduct(
                        self.account,
                        amount,
                        fn.operation,
                        idempotency_key=saved.idempotency_key,
                        description=f"{fn.name}: {len(saved.processed_ids)} {fn.item_label}(s)",
                        metadata={
                            "function": fn.name,
                            "items": saved.processed_ids,
                            "created": saved.created_ids,
                            "quantity": saved.quantity,
                        },
                        site=self.site,
                        run_id=self.run_pk,
                    )
                    charged = amount if charge.charged else Decimal("0.00")
            row.credits = charged
            self._close_log(row, started)
            self._save_log(row)  # with the items: a unit saved is a unit logged
        return saved, charged, gone

    def _locking_reads(self, fn: AIFunction) -> tuple[CompiledQuery | None, CompiledQuery]:
        """The commit's (lock, read) of the items it saves: `read` loads them as the function
        saves them, with whether each has an ItemFailure row; a function that changes its own
        row reads them FOR UPDATE (lock is None), the others lock them first. Compiled once
        per engine (CompiledQuery): building these queries costs more than running them."""
        if fn.name not in self._locking:
            had_failure = ItemFailure.objects.filter(function=fn.name, item_id=OuterRef("pk"))
            items = fn.queryset(self.site).annotate(_had_failure=Exists(had_failure))
            if fn.save_changes_own_row:
                of = ("self", *fn.locks_also)
                self._locking[fn.name] = (
                    None,
                    CompiledQuery(lambda ids: items.filter(ids).order_by(*fn.lock_order).select_for_update(of=of)),
                )
            else:
                rows = fn.model.objects.only("pk")
                self._locking[fn.name] = (
                    CompiledQuery(lambda ids: rows.filter(ids).order_by("pk").select_for_update()),
                    CompiledQuery(lambda ids: items.filter(ids)),
                )
        return self._locking[fn.name]

    def _fail_unit(self, fn: AIFunction, unit: list, result: AIResult, error: Exception, log_row, started=None):
        message, code = str(error), getattr(error, "code", "ai_error")
        self._fail_items(fn, [item.pk for item in unit], result, message, code)
        if log_row is not None:
            self._write_log(log_row, started, error=message, code=code, result=result)

    def _fail_items(self, fn: AIFunction, ids: list[int], result: AIResult, message: str, code: str) -> None:
        """One more failed attempt of each item; those out of attempts leave the pending state."""
        attempts = failures.record(self.account.pk, self.site.pk, fn.name, ids, code, message, self.run_pk)
        spent = [item_id for item_id, n in attempts.items() if n >= failures.max_attempts()]
        if spent:
            fn.mark_failed(self.ctx, spent, message)
        result.fail(ids, message, code, attempts)

    # --- request log -----------------------------------------------------------------
    def _log_row(self, fn: AIFunction, ids: list[int]) -> AIRequestLog:
        # The role's own provider: with text and image on different providers, each row
        # names the one that was called.
        provider = None if fn.kind == "local" else self._get_provider().for_role(fn.kind)
        return AIRequestLog(
            account=self.account,
            site=self.site,
            function=fn.name,
            provider=provider.name if provider else "local",
            model=(provider.image_model if fn.kind == "image" else provider.text_model) if provider else "",
            prompt=fn.prompt.key if fn.prompt else "",
            item_ids=ids,
            attempts=0,
        )

    @staticmethod
    def _fill_usage(row: AIRequestLog, usage, attempts=None) -> None:
        if isinstance(usage, Generation):
            row.model = usage.model or row.model
            row.prompt_tokens += usage.prompt_tokens
            row.completion_tokens += usage.completion_tokens
            row.attempts += usage.attempts
        elif isinstance(usage, dict):
            row.prompt_tokens += usage.get("prompt_tokens", 0)
            row.completion_tokens += usage.get("completion_tokens", 0)
            row.attempts += usage.get("attempts", 0)
        elif attempts:
            row.attempts += attempts

    def _write_log(
        self, row: AIRequestLog, started, error: str = "", code: str = "", result: AIResult | None = None
    ) -> None:
        """The row of a unit that saved nothing, written on its own."""
        self._close_log(row, started, error, code)
        if result is not None:
            self._tally(row, result)
        if row.provider == "local":
            return
        try:
            row.save()
        except Exception:  # the log must never break the work it describes
            log.exception("Could not write the AI request log for %s", row.function)

    def _close_log(self, row: AIRequestLog, started, error: str = "", code: str = "") -> None:
        """The row's outcome fields (may be called again when a commit is retried)."""
        if row.provider == "local":
            return  # no AI request was made
        # Tokens are billed whether or not the answer was usable; an image's price is set
        # before (kept aside so a second call does not add the tokens twice).
        if not hasattr(row, "_cost_before_tokens"):
            row._cost_before_tokens = row.provider_cost
        row.provider_cost = row._cost_before_tokens + self._prices.cost(
            model=row.model, prompt_tokens=row.prompt_tokens, completion_tokens=row.completion_tokens
        )
        row.duration_ms = int((time.monotonic() - started) * 1000) if started else 0
        row.success = not error
        row.error = error[:5000]
        row.code = code if error else ""
        row.attempts = max(row.attempts, 1)

    @staticmethod
    def _save_log(row: AIRequestLog) -> None:
        if row.provider != "local":
            row.save()  # inside the item's transaction: if it fails, the unit fails, nothing is lost

    @staticmethod
    def _tally(row: AIRequestLog, result: AIResult) -> None:
        if row.provider == "local":
            return
        result.prompt_tokens += row.prompt_tokens
        result.completion_tokens += row.completion_tokens
        result.provider_cost += row.provider_cost
