"""The dashboard's API client is checked against the served OpenAPI schema: every endpoint it
calls (frontend/src/api/endpoints.json) exists with that method, so a renamed or removed
endpoint fails here instead of in a user's browser."""

import json
from pathlib import Path

import pytest
import yaml

ENDPOINTS = Path(__file__).resolve().parents[2] / "frontend" / "src" / "api" / "endpoints.json"


def dashboard_endpoints() -> list[tuple[str, str, str]]:
    data = json.loads(ENDPOINTS.read_text())
    return [
        (name, method, path) for name, value in data.items() if not name.startswith("_") for method, path in [value]
    ]


@pytest.fixture(scope="module")
def schema_paths(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/schema/")
    assert response.status_code == 200, response.content[:500]
    return yaml.safe_load(response.content)["paths"]


def test_the_endpoint_list_is_not_empty():
    names = {name for name, _, _ in dashboard_endpoints()}
    assert {"automationRunNow", "automationRunProgress", "keywordsImport", "contentBulkApprove", "aiBudget"} <= names


@pytest.mark.parametrize(("name", "method", "path"), dashboard_endpoints(), ids=[e[0] for e in dashboard_endpoints()])
def test_dashboard_endpoint_is_in_the_schema(schema_paths, name, method, path):
    assert path in schema_paths, f"{name}: {path} is not in the OpenAPI schema"
    assert method.lower() in schema_paths[path], f"{name}: {path} has no {method} (has {sorted(schema_paths[path])})"
