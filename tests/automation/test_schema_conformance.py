"""The answers of a real pipeline run match the OpenAPI schema exactly: every key the server sends
is documented (no undocumented extras) with its documented type, and every required key is
there. The dashboard's types are generated from that schema, so this keeps them true."""

from typing import Any

import jsonschema
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from igny8_core.publishing.models import PublishingSettings

from .helpers import add_keywords, demo_engine, execute, fast_config

pytestmark = pytest.mark.django_db
AUTOMATION = "/api/v1/automation"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def strict(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null alternative, and an object
    with documented properties refuses undocumented keys."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items() if key not in ("nullable", "readOnly", "writeOnly")}
    if out.get("properties") and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _leaves(error):
    """The innermost reasons (a null alternative's "is not of type 'null'" left out)."""
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub) if leaf.validator_value != "null"]


def check(schema: dict, response, path: str) -> None:
    assert response.status_code == 200, response.content
    answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    document = {"components": strict(schema["components"]), **strict(answer)}
    errors = [
        f"{'/'.join(map(str, leaf.absolute_path))}: {leaf.message}"
        for error in jsonschema.Draft7Validator(document).iter_errors(response.json())
        for leaf in _leaves(error)
    ]
    assert errors == [], f"GET {path} does not match its schema"


def test_a_finished_run_matches_the_schema(schema, alice, small_site):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=alice)[0].key}")
    add_keywords(small_site, 6)
    fast_config(small_site)
    settings = PublishingSettings.for_site(small_site)
    settings.auto_approval_enabled = True  # the review gate's extras (approvals, scheduling)
    settings.save()
    site = {"site_id": small_site.pk}
    for name in ("run_progress", "pipeline_overview", "estimate", "current_processing"):
        check(schema, api.get(f"{AUTOMATION}/{name}/", site), f"{AUTOMATION}/{name}/")  # before any run

    from igny8_core.automation.service import AutomationService

    run = AutomationService.start_automation(small_site)
    execute(run, demo_engine(small_site))
    run.refresh_from_db()
    assert run.status == "completed" and run.stage_7_result["approved_count"] > 0
    for name in ("run_progress", "run_detail", "current_run", "history", "pipeline_overview", "estimate"):
        check(schema, api.get(f"{AUTOMATION}/{name}/", site), f"{AUTOMATION}/{name}/")
    check(schema, api.get("/api/v1/planner/ideas/", site), "/api/v1/planner/ideas/")
    check(schema, api.get("/api/v1/writer/tasks/", site), "/api/v1/writer/tasks/")
    check(schema, api.get("/api/v1/ai/provider/"), "/api/v1/ai/provider/")


def test_an_undocumented_key_is_caught(schema, alice, alice_site):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=alice)[0].key}")
    response = api.get(f"{AUTOMATION}/pipeline_overview/", {"site_id": alice_site.pk})
    response.json = lambda: {**response.data, "surprise": 1}  # type: ignore[method-assign]
    with pytest.raises(AssertionError, match="does not match"):
        check(schema, response, f"{AUTOMATION}/pipeline_overview/")
