"""Keywords: list filters, search, pagination, create, patch, delete, bulk delete."""

import pytest

from igny8_core.planner.models import Clusters, Keywords

from . import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/planner/keywords/"


def test_list_shape_and_site_filter(api, alice_site, bob_site):
    second = type(alice_site).objects.create(account=alice_site.account, name="Two", domain="two.example.com")
    k1 = f.keyword(alice_site, "pour over ratio", volume=10, difficulty=5)
    f.keyword(second, "other site keyword")
    f.keyword(bob_site, "bob keyword")

    data = api.get(URL, {"site_id": alice_site.pk}).json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 1
    item = data["results"][0]
    assert item == {
        "id": k1.pk,
        "site": alice_site.pk,
        "keyword": "pour over ratio",
        "volume": 10,
        "difficulty": 5,
        "intent": "informational",
        "cluster": None,
        "cluster_name": None,
        "status": "new",
        "disabled": False,
        "created_at": item["created_at"],
        "updated_at": item["updated_at"],
    }
    # Without site_id: every site of the account, never bob's.
    assert api.get(URL).json()["count"] == 2


def test_filters_status_cluster_search(api, alice_site):
    c = f.cluster(alice_site, "Brewing")
    mapped = f.keyword(alice_site, "french press grind", cluster=c, status=Keywords.Status.MAPPED)
    f.keyword(alice_site, "cold brew ratio")
    f.keyword(alice_site, "FRENCH press clean")

    def ids(**params):
        return [k["id"] for k in api.get(URL, params).json()["results"]]

    assert ids(status="mapped") == [mapped.pk]
    assert ids(cluster=c.pk) == [mapped.pk]
    assert len(ids(search="french")) == 2
    assert api.get(URL, {"cluster": c.pk}).json()["results"][0]["cluster_name"] == "Brewing"
    assert api.get(URL, {"status": "bogus"}).status_code == 400
    assert api.get(URL, {"site_id": "abc"}).status_code == 400


def test_pagination_page_size_is_capped_at_1000(api, alice_site):
    Keywords.objects.bulk_create(
        [Keywords(site=alice_site, account_id=alice_site.account_id, keyword=f"kw {i}") for i in range(1005)]
    )
    default = api.get(URL).json()
    assert default["count"] == 1005 and len(default["results"]) == 50 and default["next"]
    big = api.get(URL, {"page_size": 5000}).json()
    assert len(big["results"]) == 1000
    assert api.get(URL, {"page": 999}).status_code == 404


def test_create_keyword(api, alice_site):
    response = api.post(
        URL,
        {"site_id": alice_site.pk, "keyword": "  Best   Espresso ", "volume": 100, "intent": "commercial"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["keyword"] == "Best Espresso" and body["site"] == alice_site.pk and body["status"] == "new"
    assert Keywords.objects.get(pk=body["id"]).account_id == alice_site.account_id


@pytest.mark.parametrize(
    "body, field",
    [
        ({"keyword": "x"}, "site_id"),
        ({"keyword": "   "}, "keyword"),
        ({"keyword": "best espresso"}, "keyword"),  # duplicate, other case
        ({"keyword": "x", "difficulty": 101}, "difficulty"),
        ({"keyword": "x", "intent": "curious"}, "intent"),
        ({"keyword": "x" * 256}, "keyword"),
    ],
)
def test_create_keyword_validation(api, alice_site, body, field):
    f.keyword(alice_site, "Best Espresso")
    body = {"site_id": alice_site.pk, **body} if field != "site_id" else body
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_create_in_bob_site_is_404(api, bob_site):
    response = api.post(URL, {"site_id": bob_site.pk, "keyword": "sneaky"}, format="json")
    assert response.status_code == 404
    assert not Keywords.objects.filter(keyword="sneaky").exists()


def test_retrieve_patch_delete(api, alice_site):
    c = f.cluster(alice_site, keywords_count=2)
    k = f.keyword(alice_site, cluster=c, status=Keywords.Status.MAPPED)
    f.keyword(alice_site, cluster=c, status=Keywords.Status.MAPPED)
    assert api.get(f"{URL}{k.pk}/").json()["id"] == k.pk

    response = api.patch(f"{URL}{k.pk}/", {"disabled": True, "volume": 7, "keyword": "renamed"}, format="json")
    assert response.status_code == 200
    k.refresh_from_db()
    assert (k.disabled, k.volume) == (True, 7)
    assert k.keyword != "renamed"  # read-only after creation

    assert api.delete(f"{URL}{k.pk}/").status_code == 204
    assert not Keywords.objects.filter(pk=k.pk).exists()
    assert Clusters.objects.get(pk=c.pk).keywords_count == 1


def test_bulk_delete_all_or_nothing(api, alice_site, bob_site):
    c = f.cluster(alice_site, keywords_count=2)
    mine = [f.keyword(alice_site, cluster=c), f.keyword(alice_site, cluster=c), f.keyword(alice_site)]
    bobs = f.keyword(bob_site)

    response = api.post(f"{URL}bulk_delete/", {"ids": [mine[0].pk, bobs.pk]}, format="json")
    assert response.status_code == 404
    assert Keywords.objects.count() == 4

    response = api.post(f"{URL}bulk_delete/", {"ids": [mine[0].pk, mine[1].pk, mine[0].pk]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"deleted": 2}
    assert list(Keywords.objects.filter(site=alice_site)) == [mine[2]]
    assert Clusters.objects.get(pk=c.pk).keywords_count == 0


@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": ["x"]}, {"ids": [0]}, {"ids": list(range(1, 1002))}, []])
def test_bulk_delete_validation(api, body):
    response = api.post(f"{URL}bulk_delete/", body, format="json")
    assert response.status_code == 400
