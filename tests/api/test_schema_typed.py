"""Every response in the OpenAPI schema has a shape: the dashboard's types are generated from it,
so an untyped object there would be an untyped value in the client."""

import pytest

pytestmark = pytest.mark.django_db

# Fields whose content is genuinely free-form, as "Component.field" (a nested shape adds ".field"),
# each with the reason it has no fixed shape.
FREE_FORM = {
    # The ledger's metadata is whatever the charging operation chose to record (tokens, model, ids).
    "CreditTransaction.metadata": "per-operation audit details, no fixed keys",
    # JSON-LD for search engines: a schema.org graph, open by design.
    "ContentDetail.schema_json": "a schema.org JSON-LD graph",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def _untyped(node: dict) -> bool:
    """An object (or anything) whose shape the schema does not give."""
    if any(key in node for key in ("$ref", "allOf", "oneOf", "anyOf", "enum", "const")):
        return False
    kind = node.get("type")
    if kind is None:
        return True  # `{}`: any value
    if kind != "object":
        return False
    if node.get("properties"):
        return False
    extra = node.get("additionalProperties")
    # A map is typed when its values are; `additionalProperties: {}` / `true` / absent is not.
    return not (isinstance(extra, dict) and extra and not _untyped(extra))


def _walk(node, where: str, components: dict, seen: set, found: list):
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            _walk(components[name], name, components, seen, found)
        return
    if _untyped(node):
        if where not in FREE_FORM:
            found.append(where)
        return
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in node.get(key, []):
            _walk(sub, where, components, seen, found)
    for name, sub in node.get("properties", {}).items():
        _walk(sub, f"{where}.{name}", components, seen, found)
    if isinstance(node.get("items"), dict):
        _walk(node["items"], f"{where}[]", components, seen, found)
    if isinstance(node.get("additionalProperties"), dict):
        _walk(node["additionalProperties"], f"{where}{{}}", components, seen, found)


def _untyped_responses(schema) -> list[str]:
    components = schema["components"]["schemas"]
    found: list[str] = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            for status, response in op.get("responses", {}).items():
                for media, content in response.get("content", {}).items():
                    if media != "application/json":
                        continue  # CSV, plain-text logs: not objects
                    where = f"{method.upper()} {path} {status}"
                    _walk(content.get("schema", {}), where, components, set(), found)
    return sorted(set(found))


def test_no_response_is_an_untyped_object(schema):
    assert _untyped_responses(schema) == []


def test_the_walker_finds_an_untyped_object():
    broken = {
        "components": {"schemas": {"Run": {"type": "object", "properties": {"stats": {"type": "object"}}}}},
        "paths": {
            "/x/": {
                "get": {
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Run"}}}},
                        "201": {"content": {"application/json": {"schema": {"type": "object"}}}},
                        "202": {"content": {"application/json": {"schema": {}}}},
                    }
                }
            }
        },
    }
    assert _untyped_responses(broken) == ["GET /x/ 201", "GET /x/ 202", "Run.stats"]


def test_free_form_fields_are_still_in_the_schema(schema):
    components = schema["components"]["schemas"]
    for field in FREE_FORM:
        component, *names = field.split(".")
        node = components[component]
        for name in names:
            node = node["properties"][name]
