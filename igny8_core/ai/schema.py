"""Parsing and JSON-schema validation of structured model output."""

import json
import re

from jsonschema import Draft202012Validator

from .exceptions import MalformedOutput

# Local models often wrap JSON in a Markdown fence despite the response format.
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)


def parse_json(text: str | None) -> object:
    if not text or not text.strip():
        raise MalformedOutput("The model returned an empty answer.")
    match = _FENCE.match(text)
    if match:
        text = match.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedOutput(f"The model's answer is not valid JSON ({exc.msg} at position {exc.pos}).") from None


def validate(data: object, schema: dict) -> None:
    """Raise MalformedOutput naming the first few schema violations."""
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors[:3])
        raise MalformedOutput(f"The model's JSON does not match the expected schema: {details}")


def parse_and_validate(text: str | None, schema: dict) -> dict:
    data = parse_json(text)
    validate(data, schema)
    return data
