"""Tenancy for every endpoint: all querysets are filtered by the requesting user's account.

Another account's object is indistinguishable from a missing one (404), never 403 or 200.
"""

from django.shortcuts import get_object_or_404
from rest_framework import exceptions

from igny8_core.accounts.models import Site


def parse_id(value, name: str) -> int:
    try:
        parsed = int(value)
        if parsed <= 0:
            raise ValueError
    except (TypeError, ValueError):
        raise exceptions.ValidationError({name: [f"A positive integer {name} is required."]}) from None
    return parsed


def get_site_or_404(request, site_id=None, param: str = "site_id") -> Site:
    """The site named by `site_id` (or the `site_id` query/body parameter) of the user's account.

    Missing parameter -> 400 with a field error; unknown or another account's site -> 404.
    """
    if site_id is None:
        site_id = request.query_params.get(param)
        if site_id is None and isinstance(getattr(request, "data", None), dict):
            site_id = request.data.get(param)
    if site_id in (None, ""):
        raise exceptions.ValidationError({param: ["This parameter is required."]})
    return get_object_or_404(Site, pk=parse_id(site_id, param), account_id=request.user.account_id)


class AccountScopedMixin:
    """For viewsets over SiteScopedModel subclasses: filter by account, and by ?site_id= when given
    (required when `site_required` is True)."""

    site_required = False

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no rows
            return super().get_queryset().none()
        qs = super().get_queryset().filter(account_id=self.request.user.account_id)
        if self.site_required or "site_id" in self.request.query_params:
            qs = qs.filter(site=get_site_or_404(self.request))
        return qs


def get_owned_or_404(queryset, ids) -> list:
    """All objects of `queryset` (already account-scoped) with these ids, or 404 naming the missing ids.

    Bulk endpoints are all-or-nothing: one unknown or foreign id fails the whole call, so another
    account's ids behave exactly like ids that do not exist.
    """
    ids = list(dict.fromkeys(ids))
    objects = list(queryset.filter(pk__in=ids))
    missing = sorted(set(ids) - {obj.pk for obj in objects})
    if missing:
        shown = ", ".join(str(pk) for pk in missing[:20]) + (" ..." if len(missing) > 20 else "")
        raise exceptions.NotFound(f"No {queryset.model._meta.verbose_name} with id {shown}.")
    return objects
