"""Prompts live here, in one place: versioned templates with the site's context and the
JSON schema each one expects.

Each user message ends with the item data as JSON after INPUT_MARKER, so a model sees
exactly what it must work on, and the offline demo provider reads the same input.
"""

import json
from dataclasses import dataclass

INPUT_MARKER = "INPUT JSON:"


def avoided_terms(site) -> list[str]:
    """The site's words and claims to avoid, one per line in `avoid_terms`."""
    return [line.strip() for line in (getattr(site, "avoid_terms", "") or "").splitlines() if line.strip()]


def site_brief(site) -> str:
    """The site brief as sentences for the system prompt (empty parts are left out)."""
    parts = []
    if (audience := (getattr(site, "audience", "") or "").strip()) != "":
        parts.append(f" Readers: {audience}.")
    if (voice := (getattr(site, "brand_voice", "") or "").strip()) != "":
        parts.append(f" Brand voice and style guide: {voice}")
    if avoid := avoided_terms(site):
        parts.append(" Never use these words or claims: " + "; ".join(avoid) + ".")
    return "".join(parts)


def site_context(site) -> dict:
    return {
        "site_name": site.name,
        "domain": site.domain,
        "topic": site.topic or "general interest",
        "language": site.language or "English",
        "tone": site.tone or "friendly, expert",
        "brief": site_brief(site),
    }


@dataclass(frozen=True)
class PromptTemplate:
    name: str  # also the schema name sent in response_format
    version: str
    system: str
    instructions: str
    schema: dict

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def messages(self, site, payload: dict, **variables) -> list[dict]:
        context = site_context(site)
        system = self.system.format(**context)
        user = self.instructions.format(**context, **variables)
        data = json.dumps(payload, ensure_ascii=False, indent=1)
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": f"{user}\n\n{INPUT_MARKER}\n{data}"},
        ]


def extract_input(messages: list[dict]) -> dict:
    """The JSON payload of the first user message (what the demo provider works on)."""
    for message in messages:
        if message["role"] == "user" and INPUT_MARKER in message["content"]:
            return json.loads(message["content"].rsplit(INPUT_MARKER, 1)[1])
    raise ValueError("No input payload in the messages.")


from .templates import ARTICLE, CONTENT_IDEAS, IMAGE_PROMPTS, KEYWORD_CLUSTERS  # noqa: E402

PROMPTS = {p.name: p for p in (KEYWORD_CLUSTERS, CONTENT_IDEAS, ARTICLE, IMAGE_PROMPTS)}

__all__ = [
    "INPUT_MARKER",
    "PROMPTS",
    "PromptTemplate",
    "extract_input",
    "site_context",
    "site_brief",
    "avoided_terms",
    "KEYWORD_CLUSTERS",
    "CONTENT_IDEAS",
    "ARTICLE",
    "IMAGE_PROMPTS",
]
