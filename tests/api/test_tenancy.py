"""Tenancy across EVERY /api/v1/ endpoint of the URLconf: bob's objects are 404 for alice.

Routes come from the URLconf (so endpoints added later are covered automatically) and what
each accepts (site_id / run_id query parameters, `ids` or `site_id` in the body) from the
OpenAPI schema. For every route alice aims at bob's site, objects, ids or run: the answer must
be 404, must not contain any of bob's data, and nothing of bob's may change. A route no rule
covers fails the test, so a new endpoint cannot slip through untested.
"""

import json

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

from igny8_core.accounts.models import Account, Site
from igny8_core.automation.models import AutomationRun, new_run_id
from igny8_core.billing.models import CreditTransaction
from igny8_core.health import record_worker_seen

from . import factories as f
from .routes import api_routes

pytestmark = pytest.mark.django_db

# Routes that hold no tenant data at all (auth handshake, probes, the schema itself).
PUBLIC = {
    "GET /api/v1/health/",
    "GET /api/v1/schema/",
    "GET /api/v1/docs/",
    "GET /api/v1/auth/csrf/",
    "POST /api/v1/auth/token/",
    "POST /api/v1/auth/login/",
    "POST /api/v1/auth/logout/",
    "GET /api/v1/auth/session/",
    "GET /api/v1/automation/stages/",  # the stage table: the same for every account
}
# Routes about the caller's own account, with no site/object parameter to aim at bob.
ACCOUNT_LEVEL = {
    "GET /api/v1/auth/me/",
    "GET /api/v1/billing/balance/",
    "GET /api/v1/sites/",
    "POST /api/v1/sites/",
    # The account's own AI provider settings: nothing of another account can be named.
    "GET /api/v1/ai/provider/",
    "PUT /api/v1/ai/provider/",
    "DELETE /api/v1/ai/provider/",
    "POST /api/v1/ai/provider/test/",
}
# Staff-only routes on the caller's own account: alice (not staff) is refused, nothing changes.
STAFF_ONLY = {"POST /api/v1/billing/grant/"}
MARKERS = ("bob.example.com", "bob-secret-keyword", "bob-secret-title", "Bob Inc")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def world(alice_site, bob, bob_site):
    """Bob owns one of everything; alice has a site of her own."""
    items = f.pipeline(bob_site)
    items["keyword"].keyword = "bob-secret-keyword"
    items["keyword"].save()
    items["content"].title = "bob-secret-title"
    items["content"].save()
    run = AutomationRun.objects.create(account=bob.account, site=bob_site, run_id=new_run_id("manual"), status="paused")
    ledger_row = CreditTransaction.objects.get(account=bob.account)  # the grant of make_tenant
    return {"alice_site": alice_site, "bob_site": bob_site, "bob": bob, "run": run, "ledger": ledger_row, **items}


def bob_fingerprint(bob) -> dict:
    """Every row of every project model that belongs to bob's account, field by field."""
    rows = {"account": list(Account.objects.filter(pk=bob.account_id).values())}
    for model in apps.get_models():
        if not model.__module__.startswith("igny8_core."):
            continue
        names = {field.name for field in model._meta.get_fields()}
        if "account" in names:
            qs = model.objects.filter(account_id=bob.account_id)
        elif "site" in names:
            qs = model.objects.filter(site__account_id=bob.account_id)
        else:
            continue
        rows[model._meta.label] = list(qs.order_by("pk").values())
    return rows


def _operation(schema, route):
    return schema["paths"].get(route.path, {}).get(route.method, {})


def _query_params(operation) -> dict[str, bool]:
    return {p["name"]: p.get("required", False) for p in operation.get("parameters", []) if p["in"] == "query"}


def _body_properties(schema, operation) -> set[str]:
    props = set()
    for media in operation.get("requestBody", {}).get("content", {}).values():
        ref = media.get("schema", {}).get("$ref", "")
        component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], media.get("schema", {}))
        props |= set(component.get("properties", {}))
    return props


def _bob_object(route, world):
    model = getattr(route.view_class, "queryset", None)
    model = model.model if model is not None else Site
    by_model = {type(obj): obj for key, obj in world.items() if hasattr(obj, "pk")}
    by_model[Site] = world["bob_site"]
    return by_model[model]


def probes(route, schema, world) -> list[tuple[str, str, dict | None]]:
    """(why, url, json body) requests that aim at bob's data; each must answer 404."""
    operation = _operation(schema, route)
    query = _query_params(operation)
    body_props = _body_properties(schema, operation)
    alice_site, bob_site, run = world["alice_site"].pk, world["bob_site"].pk, world["run"].run_id
    found = []
    if route.params:
        url = route.path
        for param in route.params:
            target = {
                "id": lambda: _bob_object(route, world).pk,
                "site_id": lambda: bob_site,
                "content_id": lambda: world["content"].pk,
            }[param]()
            url = url.replace(f"{{{param}}}", str(target))
        if query.get("site_id"):
            url += f"?site_id={alice_site}"
        return [("bob's object in the path", url, {})]
    if "site_id" in query:
        found.append(("bob's site_id", f"{route.path}?site_id={bob_site}", {"site_id": bob_site}))
    elif "site_id" in body_props:
        found.append(("bob's site_id in the body", route.path, {"site_id": bob_site}))
    if "ids" in body_props:
        found.append(("bob's ids", route.path, {"ids": [_bob_object(route, world).pk]}))
    if "run_id" in query:
        found.append(("bob's run_id", f"{route.path}?run_id={run}", {}))
        found.append(("bob's run_id with alice's site", f"{route.path}?site_id={alice_site}&run_id={run}", {}))
    return found


def assert_no_bob_data(response):
    text = response.content.decode(errors="replace")
    for marker in MARKERS:
        assert marker not in text, f"{marker!r} leaked in {response.status_code} answer"


@pytest.mark.parametrize("route", api_routes(), ids=str)
def test_every_endpoint_hides_bob_from_alice(route, api, schema, world):
    key = f"{route.method.upper()} {route.path}"
    before = bob_fingerprint(world["bob"])
    call = getattr(api, route.method)

    if key in STAFF_ONLY:
        response = call(route.path, {"amount": "5", "note": "x", "account": world["bob"].account_id}, format="json")
        assert response.status_code == 403
        assert_no_bob_data(response)
    elif key in PUBLIC or key in ACCOUNT_LEVEL:
        record_worker_seen()  # health: a worker counts as running (its absence is tested with degraded dependencies)
        body = {"name": "Alice Two", "domain": "alice-two.example.com", "account": world["bob"].account_id}
        response = call(route.path, body if route.method == "post" else None, format="json")
        assert response.status_code < 500, response.content[:300]
        if key in ACCOUNT_LEVEL:
            assert response.status_code in (200, 201)
        assert_no_bob_data(response)
        if key == "POST /api/v1/sites/":
            assert Site.objects.get(pk=response.json()["id"]).account_id == world["alice_site"].account_id
    else:
        requests = probes(route, _schema_or_fail(schema, route), world)
        assert requests, f"{key}: no tenancy rule covers this endpoint; extend tests/api/test_tenancy.py"
        for why, url, body in requests:
            if route.method == "get":
                response = api.get(url)
            else:
                response = call(url, json.dumps(body), content_type="application/json")
            assert response.status_code == 404, f"{key} with {why}: {response.status_code} {response.content[:300]}"
            assert response.json()["code"] == "not_found"
            assert_no_bob_data(response)
        if route.action == "list":
            # Without a site filter the list is the whole account: still none of bob's rows.
            response = api.get(route.path, {"page_size": 1000})
            assert response.status_code == 200
            assert_no_bob_data(response)
            assert _bob_object(route, world).pk not in {row["id"] for row in response.json()["results"]}

    assert bob_fingerprint(world["bob"]) == before, f"{key} changed bob's data"


def _schema_or_fail(schema, route):
    assert route.path in schema["paths"], f"{route.path} is missing from the OpenAPI schema"
    return schema


def test_every_api_route_is_in_the_schema(schema):
    undocumented = {
        str(r) for r in api_routes() if r.path not in schema["paths"] and f"{r.method.upper()} {r.path}" not in PUBLIC
    }
    assert not undocumented
