"""Every /api/v1/ route of the URLconf, as (OpenAPI-style path, method, view class, action).

Used by the tenancy test so a new endpoint is covered (or fails loudly) without editing a list.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1/"
SKIPPED_NAMES = {"api-unknown-endpoint"}  # the JSON 404 catch-all, not an endpoint
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    path: str  # e.g. /api/v1/planner/keywords/{id}/
    method: str  # lower case
    view_class: type
    action: str | None  # viewset action name, None for plain views

    @property
    def params(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    def __str__(self):
        return f"{self.method.upper()} {self.path}"


def _pattern_text(pattern) -> str:
    text = str(pattern.pattern).lstrip("^").rstrip("$")
    text = _REGEX_GROUP.sub(lambda m: "{id}" if m.group(1) == "pk" else f"{{{m.group(1)}}}", text)
    return _CONVERTER.sub(lambda m: f"{{{m.group(1)}}}", text)


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _pattern_text(entry))
        elif isinstance(entry, URLPattern) and entry.name not in SKIPPED_NAMES:
            yield prefix + _pattern_text(entry), entry.callback


def api_routes() -> list[Route]:
    routes = []
    for path, callback in _walk(get_resolver().url_patterns, "/"):
        if not path.startswith(API_PREFIX):
            continue
        view_class = getattr(callback, "cls", None)
        if view_class is None:
            raise AssertionError(f"{path} is not a DRF view")
        actions = getattr(callback, "actions", None)
        if actions:
            methods = {
                m: a for m, a in actions.items() if m not in ("head", "options") and m in view_class.http_method_names
            }
        else:
            methods = {
                m: None
                for m in view_class.http_method_names
                if m not in ("head", "options", "trace") and hasattr(view_class, m)
            }
        routes.extend(Route(path, m, view_class, a) for m, a in sorted(methods.items()))
    return routes
