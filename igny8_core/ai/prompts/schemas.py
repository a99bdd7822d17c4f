"""JSON schemas of the structured answers each prompt expects.

They are sent as the `response_format` json_schema (strict mode: every object closes
`additionalProperties` and lists all its properties as required) and every answer is
validated against them, whatever the provider. Lengths are enforced when saving, since
strict mode does not accept every string keyword.
"""

from igny8_core.planner.models import ContentStructure, ContentType


def _object(**properties) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


_STRING = {"type": "string"}

KEYWORD_CLUSTERS = _object(
    clusters={
        "type": "array",
        "items": _object(
            name=_STRING,
            description=_STRING,
            keyword_ids={"type": "array", "items": {"type": "integer"}, "minItems": 1},
        ),
    }
)

CONTENT_IDEAS = _object(
    ideas={
        "type": "array",
        "minItems": 1,
        "items": _object(
            title=_STRING,
            description=_STRING,
            content_type={"type": "string", "enum": list(ContentType.values)},
            content_structure={"type": "string", "enum": list(ContentStructure.values)},
            target_keywords={"type": "array", "items": _STRING},
            outline=_object(
                sections={
                    "type": "array",
                    "items": _object(
                        heading=_STRING,
                        level={"type": "integer", "enum": [2, 3]},
                        points={"type": "array", "items": _STRING},
                    ),
                },
                faq={"type": "array", "items": _STRING},
            ),
        ),
    }
)

ARTICLE = _object(
    title=_STRING,
    meta_title=_STRING,
    meta_description=_STRING,
    html_content=_STRING,
    faq={"type": "array", "items": _object(question=_STRING, answer=_STRING)},
)

_IMAGE_PROMPT = _object(prompt=_STRING, alt_text=_STRING)

IMAGE_PROMPTS = _object(
    featured=_IMAGE_PROMPT,
    in_article={"type": "array", "items": _IMAGE_PROMPT},
)
