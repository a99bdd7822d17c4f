"""Per-item failure bookkeeping (ItemFailure rows) shared by the engine, the pipeline's
queues and the failed-items API.

An item that fails keeps its pending state and gets one more attempt per later run, until it
has failed AI_MAX_ITEM_ATTEMPTS times: then it is "exhausted", left out of every queue, and
its function's `mark_failed` takes it out of the pending state where the model has a failed
state (tasks, images). A success or a user's retry deletes the row.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from .models import ItemFailure

# Codes that are no failure of the item: refused before any work (left pending as they are).
NOT_FAILURES = frozenset({"not_pending", "insufficient_credits"})


def max_attempts() -> int:
    return max(1, int(settings.AI_MAX_ITEM_ATTEMPTS))


def exhausted_ids(function: str) -> QuerySet[ItemFailure, Any]:
    """Ids (a subquery) of the items of `function` that used up their attempts."""
    return ItemFailure.objects.filter(function=function, attempts__gte=max_attempts()).values("item_id")


def record(
    account_id: int, site_id: int, function: str, ids: Iterable[int], code: str, error: str, run_id: int | None = None
) -> dict[int, int]:
    """Count one more failed attempt of each item; returns {item id: attempts now}."""
    now, attempts = timezone.now(), {}
    with transaction.atomic():
        for item_id in sorted(set(ids)):
            row, _ = ItemFailure.objects.select_for_update().get_or_create(
                function=function,
                item_id=item_id,
                defaults={"account_id": account_id, "site_id": site_id, "code": code, "failed_at": now},
            )
            ItemFailure.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1, code=code, error=error[:5000], failed_at=now, run_id=run_id
            )
            attempts[item_id] = row.attempts + 1
    return attempts


def clear(function: str, ids: Iterable[int]) -> None:
    """The items succeeded (or the user asked to start over): forget their failures."""
    ItemFailure.objects.filter(function=function, item_id__in=list(ids)).delete()
