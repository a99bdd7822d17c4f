"""AI usage per month: tokens and what the provider bills (USD), next to our credits.

Read from the AI request log, so every AI call counts (manual triggers and pipeline runs,
failed calls included: the provider bills their tokens too)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from igny8_core.ai.models import AIRequestLog

MAX_MONTHS = 36


def monthly_usage(account_id: int, months: int = 12, site_id: int | None = None) -> list[dict[str, Any]]:
    """The last `months` calendar months (UTC) that had AI requests, newest first."""
    now = timezone.now()
    first = datetime(now.year, now.month, 1, tzinfo=UTC)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    rows = AIRequestLog.objects.filter(account_id=account_id, created_at__gte=first)
    if site_id is not None:
        rows = rows.filter(site_id=site_id)
    totals = (
        rows.annotate(month=TruncMonth("created_at", tzinfo=UTC))
        .values("month")
        .annotate(
            requests=Count("id"),
            prompt_tokens=Sum("prompt_tokens"),
            completion_tokens=Sum("completion_tokens"),
            provider_cost=Sum("provider_cost"),
            credits=Sum("credits"),
        )
        .order_by("-month")
    )
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "requests": row["requests"],
            "prompt_tokens": row["prompt_tokens"] or 0,
            "completion_tokens": row["completion_tokens"] or 0,
            "provider_cost": str(row["provider_cost"] or Decimal("0")),
            "credits": str(row["credits"] or Decimal("0.00")),
        }
        for row in totals
    ]
