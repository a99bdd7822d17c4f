"""The demo provider's offline "model": deterministic keyword grouping, ideas, articles and
image prompts built from the input itself. Everything it writes is labelled as demo text."""

import hashlib
import random
import re
from collections import Counter
from collections.abc import Iterable
from html import escape
from typing import Any

from igny8_core.ai.similarity import STOPWORDS as SIMILARITY_STOPWORDS
from igny8_core.ai.similarity import stem

# A JSON object as the AI functions send and expect it.
Json = dict[str, Any]

DEMO_NOTICE = (
    '<p class="igny8-demo-notice"><em>Demo text: written offline by the IGNY8 demo provider, '
    "not by an AI model. Configure the openai provider for publishable articles.</em></p>"
)

# The similarity check's stop words plus the filler of keyword phrasing ("tips", "easy ways",
# "for beginners"...) that must not name a demo cluster or title. Numbers are skipped separately.
STOPWORDS = SIMILARITY_STOPWORDS | {
    "about",
    "all",
    "also",
    "any",
    "beginner",
    "beginners",
    "compare",
    "easy",
    "free",
    "ideas",
    "into",
    "just",
    "like",
    "make",
    "many",
    "more",
    "most",
    "much",
    "new",
    "one",
    "over",
    "review",
    "reviews",
    "some",
    "than",
    "there",
    "tips",
    "two",
    "under",
    "use",
    "used",
    "using",
    "very",
    "way",
    "ways",
    "without",
}
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def rng_for(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


def significant(keyword: str) -> list[tuple[str, str]]:
    """(stem, surface form) of the words that carry meaning, in order, without repeats."""
    seen, result = set(), []
    for word in TOKEN.findall(keyword.lower()):
        if word in STOPWORDS or len(word) < 3 or word.isdigit():
            continue
        root = stem(word)
        if root not in seen:
            seen.add(root)
            result.append((root, word))
    return result


def title_case(text: str) -> str:
    return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in text.split())


LINK_THRESHOLD = 0.2  # average Jaccard similarity two groups need to be merged


def cluster_keywords(keywords: list[Json], existing_names: Iterable[str] = ()) -> list[Json]:
    """Average-linkage agglomerative grouping on the Jaccard similarity of the keywords'
    significant words: repeatedly merge the two most similar groups until no pair reaches
    LINK_THRESHOLD. Each group is named by its most shared words, or takes the name of an
    existing cluster that shares at least half of the name's words."""
    words = {k["id"]: significant(k["keyword"]) for k in keywords}
    roots = {i: {root for root, _ in pairs} for i, pairs in words.items()}

    def similarity(a: int, b: int) -> float:
        union = roots[a] | roots[b]
        return len(roots[a] & roots[b]) / len(union) if union else 0.0

    def linkage(g: list[int], h: list[int]) -> float:
        return sum(similarity(a, b) for a in g for b in h) / (len(g) * len(h))

    groups = [[k["id"]] for k in keywords]
    while True:
        best = None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                score = linkage(groups[i], groups[j])
                if score >= LINK_THRESHOLD and (best is None or score > best[0]):
                    best = (score, i, j)
        if best is None:
            break
        _, i, j = best
        groups[i] += groups.pop(j)

    text = {k["id"]: k["keyword"].strip() for k in keywords}
    clusters: dict[str, Json] = {}
    existing = [(name, {root for root, _ in significant(name)}) for name in existing_names]
    for members in groups:
        name = _reuse_existing(_group_name(members, words, text), existing)
        entry = clusters.setdefault(name.lower(), {"name": name, "keyword_ids": []})
        entry["keyword_ids"].extend(members)
    return [
        {
            "name": entry["name"][:255],
            "description": f"[Demo] {len(entry['keyword_ids'])} keyword(s) about {entry['name'].lower()}: "
            + ", ".join(text[i] for i in entry["keyword_ids"][:4])
            + ".",
            "keyword_ids": entry["keyword_ids"],
        }
        for entry in clusters.values()
    ]


def _reuse_existing(name: str, existing: list[tuple[str, set[str]]]) -> str:
    roots = {root for root, _ in significant(name)}
    scored = [(len(roots & other) / len(roots | other), candidate) for candidate, other in existing if roots | other]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, name))
    return best if score >= 0.5 else name


def _group_name(members: list[int], words: dict[int, list[tuple[str, str]]], text: dict[int, str]) -> str:
    """The group's most shared words (at most two, in the order a member uses them)."""
    if len(members) == 1:
        return title_case(text[members[0]])
    counts = Counter(root for m in members for root, _ in words[m])
    ranked = sorted(counts, key=lambda r: (-counts[r], r))
    shared = [r for r in ranked[:2] if counts[r] >= max(2, len(members) / 2)] or ranked[:1]
    for m in members:
        used = [(root, word) for root, word in words[m] if root in shared]
        if len(used) == len(shared):
            return title_case(" ".join(word for _, word in used))
    return title_case(next(word for m in members for root, word in words[m] if root == shared[0]))


_IDEA_PATTERNS = [
    (
        "guide",
        "post",
        "The Complete Guide to {name}",
        "Everything a reader needs to understand {lname}, from the basics to expert advice.",
    ),
    (
        "how_to",
        "post",
        "How to Get Started with {name}",
        "A step-by-step walkthrough that takes a beginner from zero to confident with {lname}.",
    ),
    (
        "listicle",
        "post",
        "{n} Things to Know About {name}",
        "A scannable list of the most useful facts and tips about {lname}.",
    ),
    (
        "comparison",
        "post",
        "{name}: Options Compared",
        "A side-by-side comparison of the main options for {lname}, with a clear recommendation.",
    ),
    (
        "review",
        "post",
        "{name} Reviewed: What Really Matters",
        "An honest review of what works and what does not when it comes to {lname}.",
    ),
    (
        "article",
        "page",
        "Why {name} Matters",
        "An explanation of why {lname} is worth the reader's attention and where to start.",
    ),
]


def content_ideas(cluster: Json, count: int) -> list[Json]:
    name = cluster["name"]
    keywords = cluster.get("keywords") or [name.lower()]
    start = rng_for("ideas", name).randrange(len(_IDEA_PATTERNS))
    ideas = []
    for i in range(count):
        structure, content_type, title, description = _IDEA_PATTERNS[(start + i) % len(_IDEA_PATTERNS)]
        targets = keywords[i::count] or keywords[:1]
        ideas.append(
            {
                "title": title.format(name=name, lname=name.lower(), n=5 + len(keywords)),
                "description": "[Demo] " + description.format(lname=name.lower()),
                "content_type": content_type,
                "content_structure": structure,
                "target_keywords": targets,
                "outline": demo_outline(targets, structure, rng_for("outline", name, i)),
            }
        )
    return ideas


_FAQ_PATTERNS = ["What is {kw}?", "How much does {kw} cost?", "Is {kw} worth it?", "How do I choose {kw}?"]


def demo_outline(keywords: list[str], structure: str, rng: random.Random) -> Json:
    """An outline like a model's: one h2 per target keyword (up to four) with an h3 under it,
    the points each covers, and FAQ questions about the primary keyword."""
    sections = []
    subheadings = rng.sample(_SUBHEADINGS, len(_SUBHEADINGS))
    for n, kw in enumerate(keywords[:4]):
        h2, h3 = subheadings[(2 * n) % len(subheadings)], subheadings[(2 * n + 1) % len(subheadings)]
        sections.append({"heading": f"{title_case(kw)}: {h2}", "level": 2, "points": [f"What {kw} means in practice"]})
        sections.append({"heading": h3, "level": 3, "points": [f"{h3} for {kw}"]})
    primary = keywords[0] if keywords else "this topic"
    count = 3 if structure in ("guide", "how_to", "article") else 2
    return {"sections": sections, "faq": [q.format(kw=primary) for q in _FAQ_PATTERNS[:count]]}


_SENTENCES = [
    "When people search for {kw}, they usually want a clear answer they can act on today.",
    "The first thing to understand about {kw} is that small decisions add up over time.",
    "Many readers of {site} start with {kw} because it offers the quickest visible result.",
    "A practical approach to {kw} balances cost, effort and the result you actually need.",
    "Experts who work with {kw} every day agree that consistency beats intensity.",
    "It helps to write down what success with {kw} looks like before you begin.",
    "Common mistakes with {kw} come from skipping the preparation step.",
    "Once the basics of {kw} are in place, fine-tuning becomes much easier.",
    "Comparing a few options for {kw} side by side quickly reveals the best fit.",
    "Budget matters, but the cheapest route to {kw} is rarely the most economical one.",
    "Reviewing your progress with {kw} every few weeks keeps the effort on track.",
    "Seasonal changes can affect {kw} more than most people expect.",
    "The topic of {topic} connects naturally with {kw}, so the two are worth planning together.",
    "A short checklist turns {kw} from a vague goal into a routine.",
    "Readers often ask whether {kw} is worth it; the honest answer depends on their goals.",
]
_BULLETS = [
    "Start small with {kw} and measure the result",
    "Keep notes on what works for {kw}",
    "Compare at least three options before committing to {kw}",
    "Set aside a fixed time each week for {kw}",
    "Ask for feedback from people experienced with {kw}",
    "Revisit your {kw} plan after a month",
]
_SUBHEADINGS = [
    "Why it matters",
    "Getting the basics right",
    "Common mistakes to avoid",
    "Tips from experience",
    "What to do next",
    "Choosing the right approach",
]


def _paragraph(rng: random.Random, kw: str, context: dict[str, str], sentences: int = 4) -> str:
    chosen = rng.sample(_SENTENCES, sentences)
    return "<p>" + " ".join(escape(s.format(kw=kw, **context)) for s in chosen) + "</p>"


def _avoids(text: str, avoid: list[str]) -> bool:
    lowered = text.lower()
    return not any(term.lower() in lowered for term in avoid)


def _paragraph_avoiding(rng: random.Random, kw: str, context: dict[str, str], sentences: int, avoid: list[str]) -> str:
    """A paragraph whose sentences use none of the site's avoided terms (the brief says so)."""
    pool = [s.format(kw=kw, **context) for s in _SENTENCES]
    pool = [s for s in pool if _avoids(s, avoid)] or [f"This section is about {kw}."]
    return "<p>" + " ".join(escape(s) for s in rng.sample(pool, min(sentences, len(pool)))) + "</p>"


def _outline_sections(payload: Json, keywords: list[str]) -> list[Json]:
    sections: list[Json] = list((payload.get("outline") or {}).get("sections") or [])
    if sections:
        return sections
    # No outline (an idea created before outlines): the same shape from the keywords.
    outline = demo_outline(
        keywords, payload.get("content_structure") or "article", rng_for("outline", payload["title"])
    )
    return list(outline["sections"])


def article(payload: Json, site_name: str, topic: str) -> Json:
    """An HTML article written from the idea's outline (its headings, in order), grown a
    paragraph per section at a time up to the target word count, plus the FAQ answers."""
    from igny8_core.ai.html import word_count

    title = payload["title"]
    keywords = payload.get("keywords") or [title.lower()]
    target = int(payload.get("target_words") or 800)
    site = payload.get("site") or {}
    avoid = list(site.get("avoid_terms") or [])
    rng = rng_for("article", title, payload.get("content_structure"))
    context = {"site": site_name, "topic": topic}
    intro = _paragraph_avoiding(rng, keywords[0], context, 3, avoid)
    if site.get("audience"):
        intro = intro[:-4] + f" This guide is written for {escape(site['audience'])}.</p>"
    sections = _outline_sections(payload, keywords)
    bodies: list[list[str]] = []
    for n in range(len(sections)):
        kw = keywords[n % len(keywords)]
        parts = [_paragraph_avoiding(rng, kw, context, 3, avoid)]
        if n == 0:
            tag = "ol" if payload.get("content_structure") in ("how_to", "listicle") else "ul"
            items = "".join(f"<li>{escape(b.format(kw=kw))}</li>" for b in rng.sample(_BULLETS, 3))
            parts.append(f"<{tag}>{items}</{tag}>")
        bodies.append(parts)

    def render() -> str:
        html = [DEMO_NOTICE, intro]
        for section, parts in zip(sections, bodies, strict=True):
            level = 3 if section.get("level") == 3 else 2
            html.append(f"<h{level}>{escape(section['heading'])}</h{level}>")
            html.extend(parts)
        html.append("<h2>Conclusion</h2>")
        html.append(conclusion)
        return "\n".join(html)

    conclusion = _paragraph_avoiding(rng, keywords[0], context, 2, avoid)
    grown = 0
    while bodies and word_count(render()) < target and grown < 80:
        n = grown % len(bodies)
        bodies[n].append(_paragraph_avoiding(rng, keywords[n % len(keywords)], context, 4, avoid))
        grown += 1
    questions = (payload.get("outline") or {}).get("faq") or []
    return {
        "title": title,
        # Deliberately the full "<title> | <site>": the SEO rules fit it to 60 characters.
        "meta_title": f"{title} | {site_name}",
        "meta_description": f"[Demo] {title}: a practical overview of {', '.join(keywords[:3])}.",
        "html_content": render(),
        "faq": [
            {
                "question": q,
                "answer": f"[Demo] In short: it depends on your goals. {title} explains how to decide about "
                f"{keywords[0]} step by step.",
            }
            for q in questions
        ],
    }


def image_prompts(payload: Json) -> Json:
    title = payload["title"]
    headings = payload.get("sections") or []
    count = int(payload.get("count", 0))
    style = rng_for("style", title).choice(["soft watercolor", "clean flat illustration", "natural-light photograph"])
    in_article = []
    for i in range(count):
        heading = headings[i % len(headings)] if headings else f"{title}, detail {i + 1}"
        in_article.append(
            {
                "prompt": f"[Demo] {style} illustrating '{heading}', part of an article titled '{title}', no text",
                "alt_text": f"Illustration: {heading}"[:125],
            }
        )
    return {
        "featured": {
            "prompt": f"[Demo] wide {style} hero image for an article titled '{title}', no text",
            "alt_text": f"Featured image: {title}"[:125],
        },
        "in_article": in_article,
    }
