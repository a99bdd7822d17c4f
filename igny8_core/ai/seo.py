"""SEO metadata of a content: slug, meta title, meta description and the JSON-LD graph.

Everything here is local and deterministic, so the same rules hold whatever the provider
wrote: a meta title never ends mid-word, a meta description is 120-160 characters when the
article has enough text, a slug is unique per site.
"""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils.html import strip_tags
from django.utils.text import slugify

META_TITLE_MAX = 60
META_DESCRIPTION_MIN, META_DESCRIPTION_MAX = 120, 160
SLUG_MAX = 80
HEADLINE_MAX = 110  # the longest Article headline search engines show
_TRAILING = " |-–—:;,./"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _squash(text: str) -> str:
    return " ".join(strip_tags(text or "").split())


def cut_at_word(text: str, limit: int, ellipsis: str = "") -> str:
    """`text` when it fits, else its longest word-boundary prefix that fits with `ellipsis`,
    without trailing separators ("Best Espresso Machines |" -> "Best Espresso Machines")."""
    text = _squash(text)
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    cut = text[: room + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else text[:room]
    return cut.rstrip(_TRAILING) + ellipsis


def meta_title(proposed: str, title: str, site_name: str = "") -> str:
    """At most 60 characters, never cut mid-word. A too-long "<title> | <site>" loses the
    site suffix first; a too-long title loses whole words."""
    for candidate in (proposed, title):
        candidate = _squash(candidate)
        if candidate and len(candidate) <= META_TITLE_MAX:
            return candidate
    proposed = _squash(proposed) or _squash(title)
    for separator in (" | ", " - ", " – ", " — "):
        if site_name and proposed.endswith(separator + site_name):
            proposed = proposed[: -len(separator + site_name)]
    return cut_at_word(proposed, META_TITLE_MAX)


def meta_description(proposed: str, body_html: str) -> str:
    """120-160 characters: a short description is completed with the article's opening
    sentences, a long one is cut at a word with an ellipsis."""
    text = _squash(proposed)
    if len(text) < META_DESCRIPTION_MIN:
        for sentence in _SENTENCE.split(_squash(_first_paragraphs(body_html))):
            if len(text) >= META_DESCRIPTION_MIN:
                break
            if sentence and sentence not in text:
                text = f"{text} {sentence}".strip()
    return cut_at_word(text, META_DESCRIPTION_MAX, "…")


def _first_paragraphs(body_html: str) -> str:
    paragraphs = re.findall(r"<p(?:\s[^>]*)?>(.*?)</p>", body_html or "", re.IGNORECASE | re.DOTALL)
    # The demo notice and similar labels carry a class; the article's own text does not.
    plain = [p for p in paragraphs if "igny8-demo-notice" not in p]
    return " ".join(plain[:3])


def base_slug(title: str) -> str:
    slug = slugify(title, allow_unicode=True)[:SLUG_MAX].strip("-")
    return slug or "article"


def unique_slug(title: str, taken: Callable[[str], bool]) -> str:
    """`base-slug`, or `base-slug-2`, `-3`… : the first that `taken(slug)` says is free."""
    base = base_slug(title)
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        candidate = f"{base[: SLUG_MAX - len(str(n)) - 1]}-{n}"
    return candidate


def schema_graph(
    *,
    title: str,
    description: str,
    site_name: str,
    site_url: str,
    language: str,
    keywords: list[str],
    faq: list[dict[str, str]],
    url: str = "",
    image_url: str = "",
    published_at: datetime | None = None,
    modified_at: datetime | None = None,
) -> dict[str, Any]:
    """JSON-LD: an Article always, a FAQPage when the article answers questions. Carries
    schema.org's required properties (FAQPage: mainEntity of Question with name and
    acceptedAnswer.text) and the ones search engines recommend for Article."""
    organisation: dict[str, Any] = {"@type": "Organization", "name": site_name, "url": site_url}
    article: dict[str, Any] = {
        "@type": "Article",
        "headline": cut_at_word(title, HEADLINE_MAX),
        "description": description,
        "inLanguage": language,
        "author": organisation,
        "publisher": organisation,
    }
    if keywords:
        article["keywords"] = ", ".join(keywords)
    if url:
        article["url"] = url
        article["mainEntityOfPage"] = {"@type": "WebPage", "@id": url}
    if image_url:
        article["image"] = [image_url]
    if published_at:
        article["datePublished"] = published_at.isoformat()
        article["dateModified"] = (modified_at or published_at).isoformat()
    graph: list[dict[str, Any]] = [article]
    if faq:
        graph.append(
            {
                "@type": "FAQPage",
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": entry["question"],
                        "acceptedAnswer": {"@type": "Answer", "text": entry["answer"]},
                    }
                    for entry in faq
                ],
            }
        )
    return {"@context": "https://schema.org", "@graph": graph}


def faq_from_schema(schema_json: dict[str, Any]) -> list[dict[str, str]]:
    """The FAQ entries stored in a content's JSON-LD (to rebuild the graph at publishing)."""
    for node in (schema_json or {}).get("@graph", []):
        if node.get("@type") == "FAQPage":
            return [
                {"question": q.get("name", ""), "answer": q.get("acceptedAnswer", {}).get("text", "")}
                for q in node.get("mainEntity", [])
            ]
    return []
