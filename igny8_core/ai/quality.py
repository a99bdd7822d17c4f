"""The quality score of a draft: local checks, each passed or not with a detail, and a score
0-100 (the share of checks passed). Free, deterministic and fast, so it runs at the review gate
for every draft, and auto-approval can require a minimum score (PublishingSettings).

What each check measures is documented in docs/publishing.md.
"""

import re
import threading
from html import unescape
from typing import Any

import textstat
from django.conf import settings
from django.utils.html import strip_tags

from igny8_core.accounts.models import Site
from igny8_core.writer.models import Content

from . import seo
from .linking import MIN_LINKS
from .prompts import avoided_terms
from .similarity import Piece, PieceIndex, terms

WORDS_MIN_SHARE = 0.8  # of the target word count
MIN_READING_EASE = 40  # Flesch reading ease: below 40 is "difficult" for a general audience
# textstat's formulas per language (its Flesch variant adapts to each of these).
TEXTSTAT_LANGUAGES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "spanish": "es",
    "español": "es",
    "french": "fr",
    "français": "fr",
    "italian": "it",
    "italiano": "it",
    "dutch": "nl",
    "nederlands": "nl",
    "russian": "ru",
}
_HEADING = re.compile(r"<h([1-6])(?:\s[^>]*)?>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)
_PARAGRAPH = re.compile(r"<p(?:\s[^>]*)?>(.*?)</p>", re.IGNORECASE | re.DOTALL)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)


def _text(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


def _mentions(text: str, keyword: str) -> bool:
    """Every meaningful word of the keyword (stemmed) appears in the text."""
    wanted = set(terms(keyword))
    return bool(wanted) and wanted <= set(terms(text))


def _check(name: str, passed: bool, detail: str) -> dict[str, Any]:
    return {"name": name, "passed": bool(passed), "detail": detail}


def word_count_check(words: int, target: int) -> dict[str, Any]:
    needed = int(target * WORDS_MIN_SHARE)
    return _check("word_count", words >= needed, f"{words} words; at least {needed} expected ({target} targeted).")


def keyword_checks(title: str, html: str, keyword: str) -> list[dict[str, Any]]:
    if not keyword:
        return [_check(n, False, "No primary keyword.") for n in ("keyword_in_title", "keyword_in_intro")] + [
            _check("keyword_in_heading", False, "No primary keyword.")
        ]
    paragraphs = [p for p in _PARAGRAPH.findall(html) if "demo provider" not in p]
    intro = _text(paragraphs[0]) if paragraphs else ""
    headings = [_text(h) for _, h in _HEADING.findall(html)]
    return [
        _check("keyword_in_title", _mentions(title, keyword), f'"{keyword}" in the title: "{title}".'),
        _check("keyword_in_intro", _mentions(intro, keyword), f'"{keyword}" in the first paragraph.'),
        _check(
            "keyword_in_heading",
            any(_mentions(h, keyword) for h in headings),
            f'"{keyword}" in one of {len(headings)} headings.',
        ),
    ]


def heading_check(html: str) -> dict[str, Any]:
    levels = [int(level) for level, _ in _HEADING.findall(html)]
    problems = []
    if levels.count(1) > 1:
        problems.append(f"{levels.count(1)} H1 headings (one at most)")
    if 2 not in levels:
        problems.append("no H2 section")
    previous = 1  # the page title is the H1 the body's first section follows
    for level in levels:
        if level > previous + 1:
            problems.append(f"H{level} after H{previous} skips a level")
            break
        previous = level
    detail = "; ".join(problems) if problems else f"{levels.count(2)} H2 and {levels.count(3)} H3, no skipped level."
    return _check("heading_structure", not problems, detail[:1].upper() + detail[1:])


def readability_check(html: str, language: str) -> dict[str, Any]:
    code = TEXTSTAT_LANGUAGES.get((language or "english").strip().lower())
    if code is None:
        return _check("readability", True, f"No readability formula for {language}; not measured.")
    text = " ".join(_text(p) for p in _PARAGRAPH.findall(html))
    if not text:
        return _check("readability", False, "No paragraph text to measure.")
    ease = round(_reading_ease(text, code), 1)
    return _check(
        "readability", ease >= MIN_READING_EASE, f"Flesch reading ease {ease} ({code}); at least {MIN_READING_EASE}."
    )


# textstat's language is process-wide: two threads scoring in two languages must not
# interleave between setting it and scoring.
_TEXTSTAT_LANGUAGE = threading.Lock()


def _reading_ease(text: str, code: str) -> float:
    with _TEXTSTAT_LANGUAGE:
        textstat.set_lang(code)
        return float(textstat.flesch_reading_ease(text))


def warm_up() -> None:
    # English syllables come from cmudict (~1.5 s of CPU to load): pay it at worker start, not in a run.
    _reading_ease("Warm up the dictionary.", TEXTSTAT_LANGUAGES["english"])


def links_check(links: list[Any], available: int) -> dict[str, Any]:
    needed = min(MIN_LINKS, available)  # the linker places up to MAX_LINKS; fewer fail the check
    return _check(
        "internal_links",
        len(links) >= needed,
        f"{len(links)} internal links; {needed} expected ({available} other articles on the site).",
    )


def metadata_check(meta_title: str, meta_description: str) -> dict[str, Any]:
    problems = []
    if not 0 < len(meta_title) <= seo.META_TITLE_MAX:
        problems.append(f"meta title is {len(meta_title)} characters (1-{seo.META_TITLE_MAX})")
    if not seo.META_DESCRIPTION_MIN <= len(meta_description) <= seo.META_DESCRIPTION_MAX:
        problems.append(
            f"meta description is {len(meta_description)} characters "
            f"({seo.META_DESCRIPTION_MIN}-{seo.META_DESCRIPTION_MAX})"
        )
    detail = "; ".join(problems) or f"Meta title {len(meta_title)}, description {len(meta_description)} characters."
    return _check("metadata_lengths", not problems, detail[:1].upper() + detail[1:])


def alt_text_check(html: str, image_alts: list[str]) -> dict[str, Any]:
    inline = [re.search(r'\balt="([^"]*)"', tag) for tag in _IMG.findall(html)]
    alts = list(image_alts) + [m.group(1) if m else "" for m in inline]
    missing = sum(1 for alt in alts if not alt.strip())
    if not alts:
        return _check("image_alt_text", True, "No images.")
    return _check("image_alt_text", missing == 0, f"{len(alts) - missing} of {len(alts)} images have alt text.")


def avoided_terms_check(title: str, html: str, avoid: list[str]) -> dict[str, Any]:
    text = f"{title} {_text(html)}".lower()
    used = [term for term in avoid if re.search(r"(?<!\w)" + re.escape(term.lower()) + r"(?!\w)", text)]
    detail = f"Uses avoided terms: {', '.join(used)}." if used else f"None of {len(avoid)} avoided terms used."
    return _check("avoided_terms", not used, detail)


def similarity_check(piece: Piece, others: PieceIndex, threshold: int, own: int | None = None) -> dict[str, Any]:
    """Whether another piece of `others` (not the one at position `own`: the piece itself) is
    `threshold` or more similar. Through the index, so a draft is compared only with the
    pieces that share its words, not with a large site's every article."""
    if not threshold:
        return _check("unique_intent", True, "Cannibalisation guard off (threshold 0).")
    score, match = others.closest_at_least(piece, threshold, excluding=own)
    if match is None or score < threshold:
        return _check("unique_intent", True, f"No other content is {threshold} or more similar.")
    return _check("unique_intent", False, f"{score:g} similar to {match.label} (threshold {threshold}).")


def evaluate(
    content: Content, site: Site, others: PieceIndex, available: int, own: int | None = None
) -> dict[str, Any]:
    """{"score", "checks"} of `content` (a Content with task and images loaded); `others`: the
    site's pieces, `own` the position of this content's among them (if it is there)."""
    keywords = list(content.task.keywords or []) if content.task_id and content.task else []
    keyword = keywords[0] if keywords else ""
    html = content.html_content
    checks = [
        word_count_check(content.word_count, settings.IGNY8_AI_CONTENT_WORDS),
        *keyword_checks(content.title, html, keyword),
        heading_check(html),
        readability_check(html, site.language),
        links_check(content.internal_links or [], available),
        metadata_check(content.meta_title, content.meta_description),
        alt_text_check(html, [image.alt_text for image in content.images.all()]),
        avoided_terms_check(content.title, html, avoided_terms(site)),
        similarity_check(Piece(content.title, keywords), others, site.duplicate_threshold, own),
    ]
    score = round(100 * sum(c["passed"] for c in checks) / len(checks))
    return {"score": score, "checks": checks}


def failed_checks(quality: dict[str, Any]) -> list[str]:
    return [check["name"] for check in (quality or {}).get("checks", []) if not check["passed"]]
