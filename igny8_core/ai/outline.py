"""An idea's outline (sections with the points each covers, FAQ questions) and the FAQ an
article answers: cleaning model output and rendering the FAQ section of the article body."""

from html import escape
from typing import Any

MAX_SECTIONS = 12
MAX_POINTS = 6
MAX_QUESTIONS = 8
FAQ_HEADING = "Frequently asked questions"


def _text(value: object, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def clean_outline(raw: object) -> dict[str, Any]:
    """{"sections": [{"heading", "level": 2|3, "points"}], "faq": [question]} without empty parts.
    A subsection cannot open the article: a leading level-3 section becomes level 2."""
    raw = raw if isinstance(raw, dict) else {}
    sections: list[dict[str, Any]] = []
    for section in raw.get("sections") or []:
        if not isinstance(section, dict) or not (heading := _text(section.get("heading"), 200)):
            continue
        level = 3 if section.get("level") == 3 and sections else 2
        points = [p for p in (_text(point, 300) for point in section.get("points") or []) if p][:MAX_POINTS]
        sections.append({"heading": heading, "level": level, "points": points})
        if len(sections) == MAX_SECTIONS:
            break
    questions = [q for q in (_text(q, 300) for q in raw.get("faq") or []) if q][:MAX_QUESTIONS]
    return {"sections": sections, "faq": questions}


def clean_faq(raw: Any) -> list[dict[str, str]]:
    """[{"question", "answer"}] with both parts present."""
    faq = []
    for entry in raw or []:
        question, answer = _text(entry.get("question"), 300), _text(entry.get("answer"), 2000)
        if question and answer:
            faq.append({"question": question, "answer": answer})
    return faq[:MAX_QUESTIONS]


def faq_html(faq: list[dict[str, str]]) -> str:
    """The FAQ section appended to the article body (one h3 per question)."""
    if not faq:
        return ""
    items = "".join(f"<h3>{escape(e['question'])}</h3><p>{escape(e['answer'])}</p>" for e in faq)
    return f'<h2 class="igny8-faq">{FAQ_HEADING}</h2>{items}'
