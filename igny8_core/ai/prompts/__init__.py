"""Prompts live here, in one place: versioned templates with the site's context and the
JSON schema each one expects.

Each user message ends with the item data as JSON after INPUT_MARKER, so a model sees
exactly what it must work on, and the offline demo provider reads the same input.
"""

from .base import INPUT_MARKER, PromptTemplate, avoided_terms, extract_input, site_brief, site_context
from .templates import ARTICLE, CONTENT_IDEAS, IMAGE_PROMPTS, KEYWORD_CLUSTERS

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
