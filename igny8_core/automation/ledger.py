"""A run's credits, from the ledger: every deduction the AI engine makes for a run carries the
run (CreditTransaction.run), so the run's `total_credits_used` and each stage's
`credits_used` are the ledger's sums - also after kills, takeovers and recoveries, where a
tally kept by the worker would miss or double what a dead worker charged."""

from decimal import Decimal
from typing import Any

from django.db.models import Field, Sum

from igny8_core.billing.models import CreditTransaction

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def run_credits(run_pk: int) -> tuple[Decimal, dict[str, Decimal]]:
    """(total, {operation: amount}) the ledger charged for this run."""
    rows = (
        CreditTransaction.objects.filter(run_id=run_pk, transaction_type=CreditTransaction.Type.DEDUCTION)
        .values("operation")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    # In cents, as stored: SQLite's SUM comes back as a float-born Decimal (12.8000000000000).
    per_operation = {row["operation"]: (-row["amount"]).quantize(CENT) for row in rows}
    return sum(per_operation.values(), ZERO), per_operation


def save_with_credits(
    run_pk: int, epoch: int, result_field: str, data: dict[str, Any], operation: str | None, fields: dict[str, Any]
) -> tuple[str, Decimal, str] | None:
    """One fenced UPDATE of the run row: the stage's tally `data` with its `credits_used` and the
    run's `total_credits_used` summed from the ledger by the same statement, `heartbeat_at`,
    and `fields`. Returns (run status, total, stage credits) as written, or None when the
    epoch moved on (the claim is lost). The status is the loop's stop check: no separate read."""
    from django.db import connection
    from django.utils import timezone

    from .models import AutomationRun

    if connection.vendor != "postgresql":
        return _save_in_steps(run_pk, epoch, result_field, data, operation, fields)
    meta, ledger = AutomationRun._meta, CreditTransaction._meta.db_table

    def field(name: str) -> "Field[Any, Any]":
        found = meta.get_field(name)
        assert isinstance(found, Field)
        return found

    deductions = (
        f"SELECT COALESCE(-SUM(amount), 0.00) FROM {ledger} WHERE run_id = %(run)s AND transaction_type = %(type)s"
    )
    result_column = field(result_field).column
    values: dict[str, Any] = {
        "run": run_pk,
        "epoch": epoch,
        "type": CreditTransaction.Type.DEDUCTION,
        "operation": operation,
    }
    values["data"] = field(result_field).get_db_prep_save(data, connection)
    values["heartbeat_at"] = field("heartbeat_at").get_db_prep_save(timezone.now(), connection)
    if operation:
        stage_sql = f"jsonb_set(%(data)s::jsonb, '{{credits_used}}', to_jsonb(({deductions} AND operation = %(operation)s)::text))"
    else:
        stage_sql = "%(data)s::jsonb"
    sets = [f"{result_column} = {stage_sql}", f"total_credits_used = ({deductions})", "heartbeat_at = %(heartbeat_at)s"]
    for name, value in fields.items():
        values[f"f_{name}"] = field(name).get_db_prep_save(value, connection)
        sets.append(f"{field(name).column} = %(f_{name})s")
    sql = (
        f"UPDATE {meta.db_table} SET {', '.join(sets)} WHERE id = %(run)s AND epoch = %(epoch)s "
        f"RETURNING status, total_credits_used, {result_column} ->> 'credits_used'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _save_in_steps(
    run_pk: int, epoch: int, result_field: str, data: dict[str, Any], operation: str | None, fields: dict[str, Any]
) -> tuple[str, Decimal, str] | None:
    """save_with_credits for the embedded SQLite (no jsonb): the same fenced write in one
    transaction, which SQLite runs alone (one writer at a time)."""
    from django.db import transaction
    from django.utils import timezone

    from .models import AutomationRun

    with transaction.atomic():
        total, per_operation = run_credits(run_pk)
        if operation:
            data = {**data, "credits_used": str(per_operation.get(operation, ZERO))}
        runs = AutomationRun.objects.filter(pk=run_pk, epoch=epoch)
        if not runs.update(**{result_field: data}, total_credits_used=total, heartbeat_at=timezone.now(), **fields):
            return None
        status = runs.values_list("status", flat=True).get()
    return status, total, str(data.get("credits_used", ""))
