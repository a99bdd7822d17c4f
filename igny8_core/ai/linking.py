"""Internal links between articles of a site: local, free and repeatable.

Each article links to up to MAX_LINKS related articles of its site: siblings of its cluster
first, then the closest other content (similarity.py). The anchor is a phrase of the article's
own text that names the target (one of its keywords or its title), linked where it
first appears in a paragraph; when the text has none, one sentence naming the target is added to
a paragraph in the middle of the article. Links carry the class `igny8-link-<id>` (added
sentences `igny8-related`), so re-linking removes them exactly and starts again: linking is
idempotent, never links an article to itself and never links one target twice.

A link's href is the target's WordPress URL once published, else its path `/<slug>/`;
`published_html` rewrites them for publishing and leaves out links to unpublished content.
"""

import re
from collections.abc import Iterable
from html import escape, unescape
from typing import Any

from igny8_core.accounts.models import Site
from igny8_core.writer.models import Content

from .similarity import Piece, PieceIndex

MAX_LINKS, MIN_LINKS = 5, 2
MIN_RELATED = 30  # similarity a non-sibling needs to count as related
_LINK = re.compile(r'<a class="igny8-link-(\d+)" href="[^"]*">(.*?)</a>', re.DOTALL)
_RELATED = re.compile(r' ?<span class="igny8-related">.*?</span>', re.DOTALL)
_PARAGRAPH = re.compile(r"(<p(?:\s[^>]*)?>)(.*?)(</p>)", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"(<[^>]+>)")
LINKABLE = (Content.Status.DRAFT, Content.Status.REVIEW, Content.Status.APPROVED, Content.Status.PUBLISHED)


def href(target: Content) -> str:
    return target.external_url or f"/{target.slug}/"


def strip_links(html: str) -> str:
    """The article without the links and sentences linking added."""
    return _LINK.sub(lambda m: m.group(2), _RELATED.sub("", html))


def _piece(content: Content) -> Piece:
    keywords = list(content.task.keywords or []) if content.task_id and content.task else []
    return Piece(content.title, keywords, f'content {content.pk} "{content.title}"')


class Candidates:
    """A site's linkable content (oldest first), looked up by cluster and by words: an article
    is scored only against the articles that share its words, and its siblings come from its
    cluster's list, not from a pass over the whole site. Content without a slug is here too
    (the review gate's unique-intent check compares with it) but is never linked."""

    def __init__(self, contents: list[Content]) -> None:
        self.contents = contents
        self.index = PieceIndex(_piece(c) for c in contents)
        self.by_cluster: dict[int, list[Content]] = {}
        for c in contents:
            if c.cluster_id:
                self.by_cluster.setdefault(c.cluster_id, []).append(c)


def related(content: Content, candidates: Candidates) -> list[Content]:
    """Up to MAX_LINKS targets: cluster siblings first (oldest first), then the most similar
    others (at least MIN_RELATED)."""
    siblings = [c for c in candidates.by_cluster.get(content.cluster_id or 0, []) if c.pk != content.pk and c.slug]
    alike = (
        (score, candidates.contents[position])
        for score, position in candidates.index.at_least(_piece(content), MIN_RELATED)
    )
    closest = [
        c
        for _, c in sorted(alike, key=lambda t: (-t[0], t[1].pk))
        if c.pk != content.pk and c.slug and c not in siblings
    ]
    return (siblings + closest)[:MAX_LINKS]


def _phrases(target: Content) -> list[str]:
    # The target's own keywords and title; not its cluster's name, which every sibling shares.
    phrases = list(target.task.keywords or []) if target.task_id and target.task else []
    phrases.append(target.title)
    return [p for p in dict.fromkeys(p.strip() for p in phrases) if len(p) >= 3]


def _link(target: Content, text: str) -> str:
    return f'<a class="igny8-link-{target.pk}" href="{escape(href(target), quote=True)}">{text}</a>'


def _place_anchor(html: str, target: Content) -> tuple[str, str] | None:
    """Link the first paragraph occurrence of one of the target's phrases (outside links)."""
    # Each paragraph split into text and tags once, not once per phrase tried.
    paragraphs = [
        (m, _TAG.split(m.group(2))) for m in _PARAGRAPH.finditer(html) if "igny8-demo-notice" not in m.group(1)
    ]
    for phrase in _phrases(target):
        pattern = re.compile(r"(?<!\w)" + re.escape(escape(phrase, quote=False)) + r"(?!\w)", re.IGNORECASE)
        for match, parts in paragraphs:
            inside_link = False
            for i, part in enumerate(parts):
                if part.startswith("<"):
                    tag = part.lower()
                    inside_link = tag.startswith("<a") or (inside_link and not tag.startswith("</a"))
                    continue
                found = None if inside_link else pattern.search(part)
                if found:
                    parts[i] = part[: found.start()] + _link(target, found.group(0)) + part[found.end() :]
                    inner = "".join(parts)
                    start, end = match.span(2)
                    return html[:start] + inner + html[end:], unescape(found.group(0))
    return None


def _add_sentence(html: str, target: Content, slot: int) -> tuple[str, str] | None:
    """One sentence naming the target, at the end of a paragraph in the article's middle."""
    paragraphs = [m for m in _PARAGRAPH.finditer(html) if "igny8-demo-notice" not in m.group(1)]
    if not paragraphs:
        return None
    match = paragraphs[min(len(paragraphs) - 1, len(paragraphs) // 2 + slot)]
    anchor = target.title
    sentence = f' <span class="igny8-related">Related: {_link(target, escape(anchor, quote=False))}.</span>'
    return html[: match.start(3)] + sentence + html[match.start(3) :], anchor


def link_article(content: Content, candidates: Candidates) -> list[dict[str, Any]]:
    """Re-place the internal links of `content` (in memory; the caller saves). Returns the
    internal_links list [{"content_id", "anchor", "url"}]."""
    html = strip_links(content.html_content)
    links = []
    for slot, target in enumerate(related(content, candidates)):
        placed = _place_anchor(html, target) or _add_sentence(html, target, slot)
        if placed is None:
            continue
        html, anchor = placed
        links.append({"content_id": target.pk, "anchor": anchor, "url": href(target)})
    content.html_content = html
    content.internal_links = links
    return links


# What a link target needs (its phrases, its href, its cluster): not its HTML, which a large
# site's thousands of articles would bring along for nothing.
_TARGET_FIELDS = ("id", "title", "slug", "external_url", "cluster_id", "site_status", "task__keywords")


def site_candidates(site: Site) -> Candidates:
    targets = Content.objects.filter(site=site, status__in=LINKABLE).select_related("task")
    return Candidates(list(targets.only(*_TARGET_FIELDS).order_by("id")))


def relink_site(site: Site, content_ids: Iterable[int], candidates: Candidates | None = None) -> list[int]:
    """Link `content_ids` and re-link their unpublished cluster siblings (so an article written
    earlier gains links to the siblings written later); only content with a slug. `candidates`:
    site_candidates(site), when the caller has it. Returns the ids whose links changed."""
    candidates = candidates or site_candidates(site)
    wanted = set(content_ids)
    chosen = [c for c in candidates.contents if c.pk in wanted and c.slug]
    clusters = {c.cluster_id for c in chosen if c.cluster_id}
    ids = [c.pk for c in chosen] + [
        c.pk
        for cluster in clusters
        for c in candidates.by_cluster[cluster]
        if c.pk not in wanted and c.slug and c.site_status == Content.SiteStatus.NOT_PUBLISHED
    ]
    changed = []
    for content in Content.objects.filter(pk__in=ids).select_related("task").order_by("id"):  # with their HTML
        before = (content.html_content, content.internal_links)
        link_article(content, candidates)
        if (content.html_content, content.internal_links) != before:
            Content.objects.filter(pk=content.pk).update(
                html_content=content.html_content, internal_links=content.internal_links
            )
            changed.append(content.pk)
    return changed


def published_html(html: str, site_id: int) -> str:
    """The article as published: a link to published content points to its WordPress URL; a
    link to content not published yet is left out (its anchor stays as plain text, an added
    'Related:' sentence is dropped). A later update of the post adds it once the target is out."""
    ids = {int(i) for i in _LINK_ID.findall(html)}
    urls = dict(
        Content.objects.filter(site_id=site_id, pk__in=ids, site_status=Content.SiteStatus.PUBLISHED)
        .exclude(external_url="")
        .values_list("pk", "external_url")
    )

    def related_sentence(match: re.Match[str]) -> str:
        inner = match.group(0)
        target = _LINK_ID.search(inner)
        return inner if target and int(target.group(1)) in urls else ""

    def link(match: re.Match[str]) -> str:
        url = urls.get(int(match.group(1)))
        if url is None:
            return match.group(2)
        return f'<a class="igny8-link-{match.group(1)}" href="{escape(url, quote=True)}">{match.group(2)}</a>'

    return _LINK.sub(link, _RELATED.sub(related_sentence, html))


_LINK_ID = re.compile(r'class="igny8-link-(\d+)"')
