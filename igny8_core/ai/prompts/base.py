"""A prompt template and the site context it is filled with; the templates themselves are in
templates.py. Each user message ends with the item data as JSON after INPUT_MARKER, so a model
sees exactly what it must work on, and the offline demo provider reads the same input."""

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from igny8_core.accounts.models import Site

INPUT_MARKER = "INPUT JSON:"


def avoided_terms(site: "Site") -> list[str]:
    """The site's words and claims to avoid, one per line in `avoid_terms`."""
    return [line.strip() for line in (getattr(site, "avoid_terms", "") or "").splitlines() if line.strip()]


def site_brief(site: "Site") -> str:
    """The site brief as sentences for the system prompt (empty parts are left out)."""
    parts = []
    if (audience := (getattr(site, "audience", "") or "").strip()) != "":
        parts.append(f" Readers: {audience}.")
    if (voice := (getattr(site, "brand_voice", "") or "").strip()) != "":
        parts.append(f" Brand voice and style guide: {voice}")
    if avoid := avoided_terms(site):
        parts.append(" Never use these words or claims: " + "; ".join(avoid) + ".")
    return "".join(parts)


def site_context(site: "Site") -> dict[str, str]:
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
    schema: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def messages(self, site: "Site", payload: dict[str, Any], **variables: Any) -> list[dict[str, str]]:
        context = site_context(site)
        system = self.system.format(**context)
        user = self.instructions.format(**context, **variables)
        data = json.dumps(payload, ensure_ascii=False, indent=1)
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": f"{user}\n\n{INPUT_MARKER}\n{data}"},
        ]


def extract_input(messages: list[dict[str, str]]) -> dict[str, Any]:
    """The JSON payload of the first user message (what the demo provider works on)."""
    for message in messages:
        if message["role"] == "user" and INPUT_MARKER in message["content"]:
            payload: dict[str, Any] = json.loads(message["content"].rsplit(INPUT_MARKER, 1)[1])
            return payload
    raise ValueError("No input payload in the messages.")
