"""Dashboard metrics of a site's runs: runs per week, success rate, average credits per run and
average time per stage, over a window of recent weeks (weeks and dates in the server time zone, TIME_ZONE)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from igny8_core.accounts.models import Site

from .models import AutomationRun, RunStatus
from .results import SKIPPED
from .stages import STAGES

CENT = Decimal("0.01")
FINISHED = (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED)


def _week_start(moment: datetime) -> date:
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def run_metrics(site: Site, weeks: int) -> dict[str, Any]:
    """Aggregates over the site's runs started in the last `weeks` weeks (Monday-based).

    success_rate = completed / (completed + failed): a run the user cancelled is not a failure.
    Stage times average the stages that ran (skipped stages and stages never reached are left out).
    """
    first_week = _week_start(timezone.now()) - timedelta(weeks=weeks - 1)
    runs = AutomationRun.objects.filter(site=site, started_at__date__gte=first_week)
    per_week: dict[date, dict[str, Any]] = {
        row["week"].date() if hasattr(row["week"], "date") else row["week"]: dict(row)
        for row in runs.annotate(week=TruncWeek("started_at"))
        .values("week")
        .annotate(
            runs=Count("id"),
            completed=Count("id", filter=Q(status=RunStatus.COMPLETED)),
            failed=Count("id", filter=Q(status=RunStatus.FAILED)),
            cancelled=Count("id", filter=Q(status=RunStatus.CANCELLED)),
        )
    }
    week_rows = []
    for index in range(weeks):
        start = first_week + timedelta(weeks=index)
        row = per_week.get(start, {})
        week_rows.append(
            {
                "week_start": start,
                "runs": row.get("runs", 0),
                "completed": row.get("completed", 0),
                "failed": row.get("failed", 0),
                "cancelled": row.get("cancelled", 0),
            }
        )
    counts = runs.aggregate(
        total=Count("id"),
        completed=Count("id", filter=Q(status=RunStatus.COMPLETED)),
        failed=Count("id", filter=Q(status=RunStatus.FAILED)),
    )
    judged = counts["completed"] + counts["failed"]
    finished = runs.filter(status__in=FINISHED)
    average_credits = finished.aggregate(avg=Avg("total_credits_used"))["avg"]
    return {
        "weeks": week_rows,
        "runs_total": counts["total"],
        "completed": counts["completed"],
        "failed": counts["failed"],
        "success_rate": round(counts["completed"] / judged, 4) if judged else None,
        "average_credits_per_run": Decimal(average_credits).quantize(CENT) if average_credits is not None else None,
        "average_stage_seconds": _stage_times(finished),
    }


def _stage_times(runs: QuerySet[AutomationRun]) -> list[dict[str, Any]]:
    totals = {stage.number: [0.0, 0] for stage in STAGES}
    fields = [stage.result_field for stage in STAGES]
    for row in runs.values_list(*fields):
        for stage, result in zip(STAGES, row, strict=True):
            result = result or {}
            if not result or result.get("status") == SKIPPED:
                continue
            totals[stage.number][0] += float(result.get("time_elapsed") or 0)
            totals[stage.number][1] += 1
    return [
        {
            "stage": stage.number,
            "name": stage.name,
            "runs": totals[stage.number][1],
            "average_seconds": round(totals[stage.number][0] / totals[stage.number][1], 2)
            if totals[stage.number][1]
            else None,
        }
        for stage in STAGES
    ]
