"""GET/PUT /api/v1/billing/sites/{site_id}/ai-budget/ — a site's credit budget allocation."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from igny8_core.api.tenancy import get_site_or_404

from .budget import OPERATIONS, BudgetAllocationService, InvalidAllocation

_PCT = {op: serializers.FloatField() for op in OPERATIONS}
AIBudgetSerializer = inline_serializer(
    "AIBudgetAllocation",
    {
        "site_id": serializers.IntegerField(read_only=True),
        "use_global_defaults": serializers.BooleanField(),
        **_PCT,
        # inline_serializer consumes the dict it is given (its fields move into the class): copies.
        "effective": inline_serializer("AIBudgetEffective", dict(_PCT)),
        "global_defaults": inline_serializer("AIBudgetGlobalDefaults", dict(_PCT)),
    },
)


def allocation_payload(site) -> dict:
    allocation = BudgetAllocationService.site_allocation(site)
    return {
        "site_id": site.id,
        "use_global_defaults": allocation.use_global_defaults,
        **{op: float(v) for op, v in allocation.percentages().items()},
        "effective": {op: float(v) for op, v in BudgetAllocationService.percentages(site).items()},
        "global_defaults": {op: float(v) for op, v in BudgetAllocationService.global_percentages().items()},
    }


SITE_PATH = OpenApiParameter("site_id", int, OpenApiParameter.PATH, description="The site (of your account).")


@extend_schema(
    methods=["GET"],
    parameters=[SITE_PATH],
    responses=AIBudgetSerializer,
    summary="The site's AI credit budget allocation (own percentages and the ones in force).",
)
@extend_schema(
    methods=["PUT"],
    parameters=[SITE_PATH],
    request=AIBudgetSerializer,
    responses=AIBudgetSerializer,
    summary="Update it: use_global_defaults and/or percentages (partial; the five must sum to 100).",
)
@api_view(["GET", "PUT"])
def site_ai_budget(request, site_id: str):
    if not site_id.isdigit() or int(site_id) == 0:  # a path that names no site is "not found", like any unknown id
        raise exceptions.NotFound()
    site = get_site_or_404(request, site_id=site_id)
    if request.method == "PUT":
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        try:
            BudgetAllocationService.update_site_allocation(site, request.data)
        except InvalidAllocation as exc:
            raise exceptions.ValidationError(exc.errors) from None
    return Response(allocation_payload(site))
