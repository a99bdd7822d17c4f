"""HTML of generated articles: an allow-list sanitiser (model output is untrusted and is
shown in the dashboard and published), real word counts, and section headings."""

import re
from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "br",
    "hr",
    "code",
    "pre",
    "figure",
    "figcaption",
    "span",
    "div",
    "section",
}
VOID_TAGS = {"br", "hr"}
DROP_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
    "head",
    "title",
}
RENAMED = {"h1": "h2"}  # the page template owns the only <h1>
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
GLOBAL_ATTRIBUTES = {"class"}
SAFE_URL = re.compile(r"^(https?:|mailto:|/|#)", re.IGNORECASE)
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.text: list[str] = []  # the output's text as plain_text() would read it back
        self.open: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping += 1
            return
        tag = RENAMED.get(tag, tag)
        if self.dropping or tag not in ALLOWED_TAGS:
            return
        kept = []
        for name, value in attrs:
            if name in GLOBAL_ATTRIBUTES or name in ALLOWED_ATTRIBUTES.get(tag, ()):
                if name == "href" and not SAFE_URL.match((value or "").strip()):
                    continue
                kept.append(f' {name}="{escape(value or "", quote=True)}"')
        if tag == "a":
            kept.append(' rel="nofollow noopener"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        self.text.append(" ")  # tags separate words
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:  # <svg/>: nothing inside to drop, and no end tag will come
            return
        self.handle_starttag(tag, attrs)
        if RENAMED.get(tag, tag) in self.open and tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        tag = RENAMED.get(tag, tag)
        if self.dropping or tag not in self.open:
            return
        while self.open:  # close anything left open inside it
            current = self.open.pop()
            self.out.append(f"</{current}>")
            self.text.append(" ")
            if current == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))
            self.text.append(data)

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out).strip()


def sanitize_and_count(html: str) -> tuple[str, int]:
    """The sanitised HTML and the word_count of it, in one parse (a generated article is
    several kilobytes: parsing it again to count costs about as much as sanitising it)."""
    parser = _Sanitiser()
    parser.feed(html or "")
    clean = parser.result()
    return clean, _count_words("".join(parser.text))


def sanitize_html(html: str) -> str:
    return sanitize_and_count(html)[0]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self._heading: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")  # tags separate words: "<li>a</li><li>b</li>" is two words
        if tag in ("h2", "h3"):
            self._heading, self._buffer = tag, []

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")
        if tag == self._heading:
            self.headings.append((tag, " ".join("".join(self._buffer).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._heading:
            self._buffer.append(data)


def _text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return parser


def text_and_headings(html: str, level: str = "h2") -> tuple[str, list[str]]:
    """The document's text (whitespace squashed) and its `level` headings, in one parse."""
    parsed = _text(html)
    return " ".join("".join(parsed.parts).split()), [t for tag, t in parsed.headings if tag == level and t]


def plain_text(html: str) -> str:
    return text_and_headings(html)[0]


def section_headings(html: str, level: str = "h2") -> list[str]:
    return text_and_headings(html, level)[1]


def _count_words(text: str) -> int:
    return len(WORD.findall(text))


def word_count(html: str) -> int:
    return _count_words(plain_text(html))
