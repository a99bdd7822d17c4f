"""Shared base of the pipeline resource viewsets (keywords … images).

Tenancy comes from AccountScopedMixin (account filter, `?site_id=` -> 404 for another account's
site); filters, search and ordering are declared per viewset; pagination is the global
StandardPagination ({count, next, previous, results}, `page_size` up to 1000).
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import filters, serializers, viewsets

from .tenancy import AccountScopedMixin, get_owned_or_404


class TenantViewSet(AccountScopedMixin, viewsets.GenericViewSet):
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_owned_or_404(self, ids) -> list:
        return get_owned_or_404(self.get_queryset(), ids)


SITE_ID_FILTER = OpenApiParameter(
    "site_id",
    int,
    OpenApiParameter.QUERY,
    required=False,
    description="Only this site's objects (404 if the site is not one of your account's).",
)
SITE_ID_REQUIRED = OpenApiParameter(
    "site_id",
    int,
    OpenApiParameter.QUERY,
    required=True,
    description="The site (404 if it is not one of your account's).",
)


class SiteScopedCreateMixin(serializers.Serializer):
    """Write-only `site_id` for creating an object in one of the account's sites."""

    site_id = serializers.IntegerField(min_value=1, write_only=True, help_text="Site the object belongs to.")


class IdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        max_length=1000,
        help_text="Object ids (1-1000).",
    )

    @classmethod
    def parse(cls, request, max_items: int | None = None) -> list[int]:
        """The distinct ids of the request body, in order; 400 when missing, invalid or too many."""
        serializer = cls(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(serializer.validated_data["ids"]))
        if max_items is not None and len(ids) > max_items:
            raise serializers.ValidationError({"ids": [f"At most {max_items} ids per call."]})
        return ids
