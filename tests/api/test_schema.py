"""OpenAPI: served, valid, documents every route; schemathesis fuzzes the API against it (no 5xx)."""

import pytest
import schemathesis
from django.test.client import ClientHandler
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from igny8_core.accounts.models import Site
from igny8_core.health import record_worker_seen

from . import factories as f
from .routes import api_routes

pytestmark = pytest.mark.django_db


def test_schema_is_served_as_openapi_3(anon):
    response = anon.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    for route in api_routes():
        if route.path not in ("/api/v1/schema/", "/api/v1/docs/"):
            assert (route.path, route.method) in documented, f"{route} is not documented"


def test_docs_page_is_served(anon):
    response = anon.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_documented_errors_and_shapes(anon):
    paths = anon.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    keyword_list = paths["/api/v1/planner/keywords/"]["get"]
    assert {"200", "400", "401", "404"} <= set(keyword_list["responses"])
    names = {p["name"] for p in keyword_list["parameters"]}
    assert {"site_id", "status", "cluster", "search", "page", "page_size"} <= names
    assert {"200", "402", "404", "400"} <= set(paths["/api/v1/planner/keywords/auto_cluster/"]["post"]["responses"])
    assert "409" in paths["/api/v1/writer/content/{id}/approve/"]["post"]["responses"]
    assert "429" in paths["/api/v1/auth/token/"]["post"]["responses"]
    assert "multipart/form-data" in paths["/api/v1/planner/keywords/import/"]["post"]["requestBody"]["content"]
    assert "401" not in paths["/api/v1/auth/csrf/"]["get"]["responses"]  # public
    assert "401" in paths["/api/v1/auth/me/"]["get"]["responses"]


class DjangoTestWSGI:
    """Django's test request handler as a WSGI app: requests run inside the test's transaction
    (a plain WSGIHandler would close the test's database connection after every request)."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]


@pytest.fixture(scope="module")
def api_schema():
    return schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", DjangoTestWSGI())


# Conformance of every answer, as `schemathesis --checks all` would check a single operation:
# no 5xx, every status documented, bodies and content types as documented, invalid input (by the
# schema) rejected, missing auth not ignored, undocumented methods refused. (The positive "data
# acceptance" check is left out: a valid-looking id or site_id of nobody is rightly a 404.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    missing_required_header,
    unsupported_method,
]
# Logging out would revoke the token the fuzzer authenticates with.
FUZZED = [r for r in api_routes() if r.path not in ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/auth/logout/")]


def _aimed_at_alice(route, api_schema, alice_site) -> dict:
    """Overrides that point the generated request at alice's real site and objects, so examples
    reach the code behind the tenancy checks instead of stopping at a 404."""
    items = f.pipeline(alice_site)
    by_model = {type(obj): obj for obj in items.values()}
    model = getattr(getattr(route.view_class, "queryset", None), "model", Site)
    targets = {
        "id": (by_model.get(model) or alice_site).pk,
        "site_id": alice_site.pk,
        "content_id": items["content"].pk,
    }
    parameters = api_schema.raw_schema["paths"][route.path][route.method].get("parameters", [])
    overrides = {}
    if route.params:
        overrides["path_parameters"] = {name: targets[name] for name in route.params}
    if any(p["in"] == "query" and p["name"] == "site_id" for p in parameters):
        overrides["query"] = {"site_id": alice_site.pk}
    return overrides


@pytest.mark.parametrize("mode", ["positive", "negative", "alice"])
@pytest.mark.parametrize("route", FUZZED, ids=str)
def test_api_fuzz_answers_as_the_schema_documents(route, mode, api_schema, alice, alice_site, settings):
    """Schemathesis generates bounded examples from our own schema for every operation, sends them
    with alice's token and validates each answer (no 5xx, status documented, body and content type
    as documented). "alice" mode aims the generated requests at alice's own site and objects."""
    settings.IGNY8_AI_PROVIDER = "demo"
    record_worker_seen()  # health: a worker counts as running (its absence is tested in tests/security)
    token, _ = Token.objects.get_or_create(user=alice)
    operation = api_schema[route.path][route.method.upper()]
    if mode == "alice":
        overrides = _aimed_at_alice(route, api_schema, alice_site)
        if not overrides:
            pytest.skip("nothing site- or object-specific to aim at")
        strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, **overrides)
    else:
        strategy = operation.as_strategy(generation_mode=GenerationMode(mode))

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=8, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case):
        case.call_and_validate(headers={"Authorization": f"Token {token.key}"}, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        pytest.skip("the schema leaves nothing invalid to generate for this operation")
