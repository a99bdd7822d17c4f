"""Parsing and JSON-schema validation of structured model output, and the schema-in-the-
prompt instructions for servers without structured output."""

import json
import re

from jsonschema import Draft202012Validator

from .exceptions import MalformedOutput, SchemaMismatch

# Local models often wrap JSON in a Markdown fence despite the response format.
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL | re.IGNORECASE)


# A fenced block anywhere in a chatty answer ("Sure! Here it is: ```json {...} ``` ...").
_ANY_FENCE = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL | re.IGNORECASE)


def schema_instructions(schema: dict, schema_name: str) -> dict:
    """A system message carrying the schema, for servers that cannot enforce it themselves."""
    return {
        "role": "system",
        "content": f"Answer with exactly one JSON object (schema `{schema_name}`) that matches this JSON "
        "schema: every property it lists, no others. No text before or after it.\n"
        + json.dumps(schema, ensure_ascii=False),
    }


def extract_json(text: str | None) -> str | None:
    """The JSON part of a free-text answer: the first fenced block, else the outermost braces."""
    if not text:
        return text
    match = _ANY_FENCE.search(text)
    if match:
        return match.group(1)
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


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
    """Raise SchemaMismatch naming the first few schema violations."""
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors[:3])
        raise SchemaMismatch(f"The model's JSON does not match the expected schema: {details}")


def parse_and_validate(text: str | None, schema: dict, *, extract: bool = False) -> dict:
    """`extract`: the answer is free text (schema given in the prompt): take its JSON part."""
    data = parse_json(extract_json(text) if extract else text)
    validate(data, schema)
    return data
