"""Billing REST resources: the account's credit balance, its ledger (read-only) and its AI
usage per month (tokens, provider cost)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from igny8_core.api.tenancy import get_site_or_404
from igny8_core.api.viewsets import SITE_ID_FILTER, TenantViewSet

from .models import CreditTransaction
from .services import CreditService
from .usage import MAX_MONTHS, monthly_usage


@extend_schema(
    summary="The account's credit balance",
    responses=inline_serializer(
        "CreditBalance", {"credits_balance": serializers.DecimalField(max_digits=14, decimal_places=2)}
    ),
)
@api_view(["GET"])
def balance(request):
    return Response({"credits_balance": f"{CreditService.balance(request.user.account_id):.2f}"})


class CreditTransactionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditTransaction
        fields = [
            "id",
            "site",
            "transaction_type",
            "operation",
            "amount",
            "balance_after",
            "description",
            "metadata",
            "created_at",
        ]
        read_only_fields = fields


class CreditTransactionFilter(django_filters.FilterSet):
    transaction_type = django_filters.ChoiceFilter(choices=CreditTransaction.Type.choices)
    operation = django_filters.CharFilter()

    class Meta:
        model = CreditTransaction
        fields = ["transaction_type", "operation"]


@extend_schema_view(
    list=extend_schema(
        summary="The account's credit ledger, newest first",
        description="`amount` is negative for deductions. `?site_id=` keeps the rows charged to that site.",
        parameters=[SITE_ID_FILTER],
    )
)
class CreditTransactionViewSet(mixins.ListModelMixin, TenantViewSet):
    queryset = CreditTransaction.objects.all()
    serializer_class = CreditTransactionSerializer
    filterset_class = CreditTransactionFilter
    ordering_fields = ["created_at", "amount"]
    ordering = ["-created_at", "-id"]


class UsageQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=MAX_MONTHS, default=12)
    site_id = serializers.CharField(required=False)


@extend_schema(
    summary="AI usage per month: tokens and provider cost next to credits",
    description="The last `months` calendar months (UTC, default 12) with AI requests, newest first. "
    "`provider_cost` is what the AI provider bills in USD (tokens x the model's price in the admin's "
    "price table, or the image price); `credits` is what this product charged. `?site_id=` keeps one site.",
    parameters=[UsageQuerySerializer],
    responses=inline_serializer(
        "AIUsage",
        {
            "months": inline_serializer(
                "AIUsageMonth",
                {
                    "month": serializers.CharField(help_text="YYYY-MM"),
                    "requests": serializers.IntegerField(),
                    "prompt_tokens": serializers.IntegerField(),
                    "completion_tokens": serializers.IntegerField(),
                    "provider_cost": serializers.DecimalField(max_digits=14, decimal_places=6),
                    "credits": serializers.DecimalField(max_digits=14, decimal_places=2),
                },
                many=True,
            )
        },
    ),
)
@api_view(["GET"])
def usage(request):
    query = UsageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    site_id = None
    if "site_id" in query.validated_data:
        site_id = get_site_or_404(request).pk
    months = monthly_usage(request.user.account_id, query.validated_data["months"], site_id)
    return Response({"months": months})
