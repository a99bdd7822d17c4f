"""Billing REST resources: the account's credit balance and its ledger (read-only)."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from igny8_core.api.viewsets import SITE_ID_FILTER, TenantViewSet

from .models import CreditTransaction
from .services import CreditService


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
