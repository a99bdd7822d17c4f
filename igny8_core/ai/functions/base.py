"""What every pipeline function tells the engine. The engine owns the flow (validation,
credit checks, provider call, transaction, charge, log); a function only knows its items:
which are pending, what to ask, how to save an answer, how much it costs, how to fail."""

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from igny8_core.billing.services import CreditService

from ..prompts import PromptTemplate
from ..providers import AIProvider

if TYPE_CHECKING:
    from igny8_core.accounts.models import Account, Site


@dataclass
class Context:
    account: "Account"
    site: "Site"
    provider_factory: object  # callable -> AIProvider (lazy: local functions never need one)
    # Site settings a function reads once per engine (the clustering method), so that the
    # estimate, the generation and the charge of one batch agree even if they change meanwhile.
    settings: dict = field(default_factory=dict)

    @property
    def provider(self) -> AIProvider:
        return self.provider_factory()


@dataclass
class Generation:
    """What the provider answered for one work unit."""

    data: object
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 1


@dataclass
class Saved:
    """What `save` did for one work unit, inside the engine's transaction."""

    processed_ids: list[int]  # input items that succeeded
    created_ids: list[int]  # rows created
    quantity: int  # billing units (keywords, clusters, words, prompts, images)
    idempotency_key: str = ""
    stats: dict = field(default_factory=dict)
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # (id, code, message)
    variant: str | None = None
    notes: list[str] = field(default_factory=list)  # lines for the run log


def idempotency_key(function: str, consumed: str, consumed_ids, produced: str = "", produced_ids=()) -> str:
    """`<function>:<consumed>:<ids>[:<produced>:<ids>]`, hashed when it would be too long."""

    def ids(values):
        text = ",".join(str(v) for v in values)
        return text if len(text) <= 60 else "sha1-" + hashlib.sha1(text.encode()).hexdigest()

    key = f"{function}:{consumed}:{ids(consumed_ids)}"
    if produced:
        key += f":{produced}:{ids(produced_ids)}"
    return key


class AIFunction(ABC):
    name = ""
    operation: str | None = None  # CreditCostConfig operation; None for local work
    max_batch = 1
    model = None  # the input item model
    item_label = "item"
    prompt: PromptTemplate | None = None
    kind = "text"  # "text" (complete_json), "image" (generate_image) or "local" (no provider)
    per_item = True  # one provider call per item (False: the whole batch in one call)
    # True when the prompt shows what earlier batches saved (the site's clusters): the next
    # batch's call then waits until this one is saved, instead of leaving as its answer arrives.
    builds_on_earlier_batches = False
    # True when `save` always changes the item's own row so that `pending_reason` refuses it
    # (its status): the engine's locking read then returns a concurrent twin's committed
    # version, and one statement locks and re-reads. False: the lock, then a second read
    # (annotations such as "has images" are evaluated on the statement's snapshot).
    save_changes_own_row = False
    # Related rows (select_related names) the locking read also locks, because `save` changes
    # them: it then needs no locking statement of its own. The read locks in `lock_order`,
    # which must put those related rows in one order whatever the batch (no deadlock between
    # two batches in flight).
    locks_also: tuple[str, ...] = ()
    lock_order: tuple[str, ...] = ("pk",)
    # What the function consumes and produces, plural ("keywords", "clusters"): the pipeline
    # stage's name and the dashboard's wording derive from it.
    nouns: tuple[str, str] = ("items", "items")
    # Its stats, (key, label) in display order: the first counts the items worked on, the
    # second what was produced. The pipeline stage sums exactly these into its result.
    stats: tuple[tuple[str, str], ...] = ()

    @property
    def processed_stat(self) -> str:
        return self.stats[0][0]

    @property
    def created_stat(self) -> str:
        return self.stats[1][0]

    @property
    def stat_keys(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self.stats)

    # --- items ---------------------------------------------------------------------
    def queryset(self, site):
        return self.with_details(self.model.objects.filter(site=site, account_id=site.account_id))

    def with_details(self, queryset):
        """`queryset` with what the engine reads of each item (related rows, the annotations
        `pending_reason` looks at): the engine's reads and the pipeline's batch select use it."""
        return queryset

    @abstractmethod
    def pending(self, site):
        """The site's items waiting for this function (the pipeline's queue for its stage)."""

    @abstractmethod
    def pending_reason(self, item) -> str | None:
        """None when `item` still needs this function, else why it is skipped."""

    def units(self, items: list) -> list[list]:
        return [[item] for item in items] if self.per_item else ([items] if items else [])

    # --- credits -------------------------------------------------------------------
    def billable_units(self, count: int, site) -> int:
        """Upper bound of billing units for `count` items of `site`."""
        return count

    def variant(self, ctx: Context) -> str | None:
        return None

    def planned_variant(self, site) -> str | None:
        """The variant a run will be charged at, known without a provider (the run estimate)."""
        return None

    def price(self, count: int, site, variant: str | None = None) -> Decimal:
        """Credits for `count` items at most: the engine's check before a batch and the run
        estimate both price through here."""
        if not self.operation or not count:
            return Decimal("0.00")
        return CreditService.cost_for(self.operation, self.billable_units(count, site), variant)

    def estimate(self, ctx: Context, items: list) -> Decimal:
        return self.price(len(items), ctx.site, self.variant(ctx))

    # --- the provider --------------------------------------------------------------
    def payload(self, ctx: Context, unit: list) -> dict:
        """The items as the prompt shows them; every function with a `prompt` defines it."""
        raise TypeError(f"{type(self).__name__} has a prompt but defines no payload()")

    def prompt_variables(self, ctx: Context, unit: list) -> dict:
        return {}

    def generate(self, ctx: Context, unit: list) -> Generation | None:
        """Ask the provider (outside any transaction). Raises AIError subclasses."""
        if self.prompt is None:
            return None
        messages = self.prompt.messages(ctx.site, self.payload(ctx, unit), **self.prompt_variables(ctx, unit))
        answer = ctx.provider.complete_json(messages, self.prompt.schema, schema_name=self.prompt.name)
        return Generation(answer.data, answer.model, answer.prompt_tokens, answer.completion_tokens, answer.attempts)

    def prepare(self, ctx: Context, unit: list, generation: Generation | None):
        """Check / transform the answer before the transaction (may write files). Raises AIError."""
        return generation.data if generation else None

    def discard(self, prepared) -> None:
        """Undo side effects of `prepare` when the transaction did not commit."""

    # --- saving --------------------------------------------------------------------
    @abstractmethod
    def save(self, ctx: Context, unit: list, prepared) -> Saved:
        """Write the result; runs in the engine's transaction with the unit's rows locked
        and re-checked as pending. Raise InvalidOutput to fail the whole unit."""

    def mark_failed(self, ctx: Context, ids: list[int], reason: str) -> None:
        """Take failed items out of the pending queue where the model has a failed state."""
