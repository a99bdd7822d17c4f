"""Billing REST resources: the account's credit balance, its ledger, credits per run, its AI
usage per month (tokens, provider cost), and staff grants."""

from decimal import Decimal

import django_filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from igny8_core.api.tenancy import get_site_or_404
from igny8_core.api.viewsets import SITE_ID_FILTER, TenantViewSet
from igny8_core.automation.models import AutomationRun, RunStatus, TriggerType
from igny8_core.automation.reporting import credits_by_stage

from .models import CreditTransaction, Operation
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
    run_id = serializers.CharField(
        source="run.run_id", read_only=True, allow_null=True, default=None, help_text="The run it was charged for."
    )

    class Meta:
        model = CreditTransaction
        fields = [
            "id",
            "site",
            "run_id",
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
    operation = django_filters.ChoiceFilter(choices=Operation.choices)
    run = django_filters.CharFilter(field_name="run__run_id", help_text="A run id: the rows charged for that run.")

    class Meta:
        model = CreditTransaction
        fields = ["transaction_type", "operation", "run"]


@extend_schema_view(
    list=extend_schema(
        summary="The account's credit ledger, newest first",
        description="`amount` is negative for deductions. `?site_id=` keeps the rows charged to that site.",
        parameters=[SITE_ID_FILTER],
    )
)
class CreditTransactionViewSet(mixins.ListModelMixin, TenantViewSet):
    queryset = CreditTransaction.objects.select_related("run")
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


class GrantSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("1000000")
    )
    note = serializers.CharField(max_length=500, help_text="Why the credits are added (kept in the ledger).")


class GrantResultSerializer(serializers.Serializer):
    transaction = CreditTransactionSerializer()
    credits_balance = serializers.DecimalField(max_digits=14, decimal_places=2)


class IsStaff(permissions.BasePermission):
    message = "Only staff users can add credits."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff)


@extend_schema(
    summary="Add credits to your account (staff only)",
    description="A `grant` ledger row through CreditService, with the note as its description and the "
    "granting user in `metadata.granted_by`. 403 for users who are not staff.",
    request=GrantSerializer,
    responses={201: GrantResultSerializer, 403: OpenApiResponse(description="Not a staff user.")},
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated, IsStaff])
def grant(request):
    serializer = GrantSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    charge = CreditService.add(
        request.user.account_id,
        data["amount"],
        CreditTransaction.Type.GRANT,
        description=data["note"],
        metadata={"granted_by": request.user.username},
    )
    return Response(
        {
            "transaction": CreditTransactionSerializer(charge.transaction).data,
            "credits_balance": f"{charge.transaction.balance_after:.2f}",
        },
        status=status.HTTP_201_CREATED,
    )


class StageCreditsSerializer(serializers.Serializer):
    stage = serializers.IntegerField()
    name = serializers.CharField()
    operation = serializers.CharField(allow_null=True)
    credits = serializers.DecimalField(max_digits=14, decimal_places=2)


class RunCreditsSerializer(serializers.ModelSerializer):
    site_id = serializers.IntegerField(read_only=True)
    credits_used = serializers.DecimalField(
        source="total_credits_used", max_digits=14, decimal_places=2, read_only=True
    )
    stages = serializers.SerializerMethodField(help_text="Credits of each stage that charged any.")

    class Meta:
        model = AutomationRun
        fields = [
            "id",
            "run_id",
            "site_id",
            "status",
            "trigger_type",
            "started_at",
            "completed_at",
            "credits_used",
            "stages",
        ]
        read_only_fields = fields

    @extend_schema_field(StageCreditsSerializer(many=True))
    def get_stages(self, run):
        return StageCreditsSerializer(credits_by_stage(run), many=True).data


class RunCreditsFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    trigger = django_filters.ChoiceFilter(field_name="trigger_type", choices=TriggerType.choices)

    class Meta:
        model = AutomationRun
        fields = ["status", "trigger"]


@extend_schema_view(
    list=extend_schema(
        summary="Credits per automation run, newest first",
        description="Each run with its credits and the credits of each stage that charged any. "
        "`?site_id=` keeps that site's runs.",
        parameters=[SITE_ID_FILTER],
    )
)
class RunCreditsViewSet(mixins.ListModelMixin, TenantViewSet):
    queryset = AutomationRun.objects.all()
    serializer_class = RunCreditsSerializer
    filterset_class = RunCreditsFilter
    search_fields = ["run_id"]
    ordering_fields = ["started_at", "total_credits_used"]
    ordering = ["-started_at", "-id"]
