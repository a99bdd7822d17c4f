"""No N+1: a list endpoint costs the same number of queries for 2 rows as for 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from igny8_core.billing.services import CreditService
from igny8_core.writer.models import Images

from . import factories as f

pytestmark = pytest.mark.django_db


def add_rows(site, n):
    for _ in range(n):
        items = f.pipeline(site)
        f.image(items["content"], Images.ImageType.IN_ARTICLE, position=1)
        CreditService.deduct(site.account_id, 1, "clustering", site=site)


LIST_URLS = [
    "/api/v1/sites/",
    "/api/v1/planner/keywords/",
    "/api/v1/planner/clusters/",
    "/api/v1/planner/ideas/",
    "/api/v1/writer/tasks/",
    "/api/v1/writer/content/",
    "/api/v1/writer/images/",
    "/api/v1/billing/transactions/",
]
# auth (token + user) 2, count 1, page 1, plus one prefetch for content's featured images;
# site_id adds the site lookup.
MAX_QUERIES = 6


def queries(api, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_query_count_does_not_grow_with_rows(api, alice_site, url):
    add_rows(alice_site, 2)
    small, small_count = queries(api, url, site_id=alice_site.pk)
    add_rows(alice_site, 18)
    big, big_count = queries(api, url, site_id=alice_site.pk)
    assert big_count > small_count or url == "/api/v1/sites/"
    assert big == small, f"{url}: {small} queries for {small_count} rows but {big} for {big_count}"
    assert big <= MAX_QUERIES


def test_content_detail_and_bulk_approve_query_counts(api, alice_site, django_assert_max_num_queries):
    items = f.pipeline(alice_site)
    for position in range(1, 6):
        f.image(items["content"], Images.ImageType.IN_ARTICLE, position=position)
    with django_assert_max_num_queries(4):
        assert api.get(f"/api/v1/writer/content/{items['content'].pk}/").status_code == 200

    ids = [f.content(alice_site).pk for _ in range(15)]
    with CaptureQueriesContext(connection) as ctx:
        assert api.post("/api/v1/writer/content/bulk_approve/", {"ids": ids}, format="json").status_code == 200
    assert len(ctx.captured_queries) <= 10
