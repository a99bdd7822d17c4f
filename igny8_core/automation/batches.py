"""The batch loop's bookkeeping for one stage session (executor.py runs the loop)."""

from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from igny8_core.compiled_query import CompiledQuery

from .stages import Stage


class Batches:
    """The loop's bookkeeping for one stage session: batches in flight (ids and reserved
    credits), items never to pick again, and why no further batch may start."""

    def __init__(self, stage: Stage, selection: QuerySet[Any], size: int, done: int, total: int) -> None:
        self.stage, self.size, self.total = stage, size, total
        # The stage's queue as the engine reads it; each batch is selected from it.
        self.selection = selection
        self._selects: dict[int, CompiledQuery] = {}  # per number of items asked for
        self.in_flight: dict[int, tuple[list[Model], Decimal]] = {}  # batch number -> (items, reserved credits)
        self.skip: set[int] = set()  # attempted but still pending (failed items): never re-picked
        self.attempted: set[int] = set()  # every item of a recorded batch
        self.refused: set[int] = set()  # ids of batches the engine refused as a whole (retried once)
        self.dry = False  # the last select found fewer items than it asked for
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

    def next_items(self, wanted: int) -> list[Model]:
        """The first `wanted` items of the queue that are neither in flight nor skipped, as the
        engine reads them (one select, compiled once per size: see CompiledQuery)."""
        if wanted not in self._selects:
            self._selects[wanted] = CompiledQuery(lambda ids: self.selection.exclude(ids)[:wanted])
        return self._selects[wanted](self.skip | self.busy)

    def start(self, items: list[Model], cost: Decimal) -> int:
        self.launched += 1
        self.last_number += 1
        number = self.last_number
        self.in_flight[number] = (items, cost)
        return number

    def finish(self, number: int) -> list[int]:
        items, _ = self.in_flight.pop(number)
        return [item.pk for item in items]

    def halt(self, why: object, reason: str = "") -> None:
        if self.stop is None:
            self.stop, self.reason = why, reason

    def current_processing(self) -> dict[str, Any] | None:
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
