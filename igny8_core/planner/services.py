"""Planner rules used by the API: creating and deleting keywords."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower

from igny8_core.accounts.models import Site

from .models import Clusters, Keywords


class DuplicateKeyword(ValueError):
    pass


def lock_site_keywords(site: Site) -> None:
    """Serialise keyword writes of one site (imports, single creates) on its row; call inside atomic()."""
    Site.objects.select_for_update().only("pk").get(pk=site.pk)


def create_keyword(site: Site, keyword: str, **fields: Any) -> Keywords:
    with transaction.atomic():
        lock_site_keywords(site)
        if Keywords.objects.filter(site=site).annotate(key=Lower("keyword")).filter(key=keyword.lower()).exists():
            raise DuplicateKeyword(f"The site already has the keyword '{keyword}'.")
        return Keywords.objects.create(account_id=site.account_id, site=site, keyword=keyword, **fields)


def delete_keywords(keywords: Iterable[Keywords]) -> int:
    """Delete these keywords and keep their clusters' keywords_count true. Returns how many."""
    keywords = list(keywords)
    keyword_ids = [k.pk for k in keywords]
    cluster_ids = {k.cluster_id for k in keywords if k.cluster_id}
    with transaction.atomic():
        deleted, _ = Keywords.objects.filter(pk__in=keyword_ids).delete()
        if cluster_ids:
            count = (
                Keywords.objects.filter(cluster=OuterRef("pk"))
                .order_by()
                .values("cluster")
                .annotate(n=Count("pk"))
                .values("n")
            )
            Clusters.objects.filter(pk__in=cluster_ids).update(keywords_count=Coalesce(Subquery(count), 0))
    return deleted
