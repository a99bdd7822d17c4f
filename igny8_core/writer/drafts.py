"""Drafts that wait for nothing: when a site makes no images, a written draft is finished."""

from django.db import transaction

from igny8_core.accounts.models import Site

from .models import Content


def release_drafts(site: Site) -> int:
    """Every draft of `site` -> review (its images are off, so none will be added); returns how many."""
    with transaction.atomic():
        ids = list(
            Content.objects.filter(site=site, status=Content.Status.DRAFT)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        return Content.objects.filter(pk__in=ids, status=Content.Status.DRAFT).update(status=Content.Status.REVIEW)
