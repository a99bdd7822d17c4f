"""The OpenAPI schema and the API agree where schemathesis once found them apart."""

import pytest

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def test_patch_answer_always_has_cluster_name(api, alice_site):
    keyword = f.keyword(alice_site, "no cluster yet")
    response = api.patch(
        f"/api/v1/planner/keywords/{keyword.pk}/?site_id={alice_site.pk}", {"volume": 5}, format="json"
    )
    assert response.status_code == 200
    assert "cluster_name" in response.json() and response.json()["cluster_name"] is None


def test_me_email_may_be_empty_and_the_schema_says_so(api, alice, schema):
    alice.email = ""
    alice.save(update_fields=["email"])
    assert api.get("/api/v1/auth/me/").json()["email"] == ""
    email = schema["components"]["schemas"]["Me"]["properties"]["email"]
    assert email["type"] == "string" and "format" not in email


def test_site_id_and_run_id_bounds_are_documented(api, alice_site, schema):
    params = {
        (p["name"], path): p["schema"]
        for path, ops in schema["paths"].items()
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["in"] == "query"
    }
    site_ids = [s for (name, _), s in params.items() if name == "site_id"]
    run_ids = [s for (name, _), s in params.items() if name == "run_id"]
    assert site_ids and all(s["minimum"] == 1 for s in site_ids)
    assert run_ids and all(s["minLength"] == 1 for s in run_ids)
    assert api.get("/api/v1/planner/keywords/", {"site_id": 0}).status_code in (400, 404)


@pytest.mark.parametrize("page_size", [["null", "null"], ["null"], ["0"], ["-1"], ["10", "20"]])
def test_bad_or_repeated_page_size_is_a_400(api, alice_site, page_size):
    response = api.get(
        f"/api/v1/planner/keywords/?site_id={alice_site.pk}&" + "&".join(f"page_size={v}" for v in page_size)
    )
    assert response.status_code == 400 and "page_size" in response.json()


def test_every_operation_documents_the_503(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "503" not in op["responses"]
    ]
    assert missing == []
