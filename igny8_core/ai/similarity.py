"""How alike two pieces of content are in search intent (0-100), locally and for free.

Titles and keywords are normalised first (lower case, stop words and years dropped, plural
and -ing endings stemmed, words sorted), so "best espresso machines 2026" and "best espresso
machine" become the same words; the score is the share of words two texts have in common,
words matched with rapidfuzz so spelling variants count as one word. Used by
the cannibalisation guard (stage 2), the quality checks, internal linking and the keyword
import's near-duplicate report.
"""

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "best",
        "buy",
        "by",
        "can",
        "cheap",
        "do",
        "does",
        "for",
        "from",
        "get",
        "good",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "near",
        "of",
        "on",
        "or",
        "our",
        "should",
        "that",
        "the",
        "their",
        "them",
        "these",
        "this",
        "to",
        "top",
        "vs",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "versus",
        "online",
        "guide",
        "complete",
        "ultimate",
        "things",
        "know",
    ]
)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_YEAR = re.compile(r"^(19|20)\d\d$")


def stem(word: str) -> str:
    """A tiny English stemmer: enough to match "tomatoes"/"tomato", "composting"/"compost"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("oes"):
        return word[:-2]
    if len(word) > 6 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The stems that carry meaning, sorted, without repeats."""
    return list(_terms(text or ""))


@functools.lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[str, ...]:
    # Cached: a site's titles and keywords are compared with every new idea and article, so
    # the same few thousand texts are split again and again.
    words = (w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS and not _YEAR.match(w))
    return tuple(sorted({stem(w) for w in words}))


def normalise(text: str) -> str:
    return " ".join(terms(text))


WORD_MATCH = 90  # rapidfuzz ratio at which two words count as the same word ("colour"/"color")


def word_similarity(a: str, b: str) -> float:
    """Share of meaningful words two texts have in common (Jaccard, 0-100), a word matching a
    word of the other text when rapidfuzz rates them at least WORD_MATCH alike. Word-level on
    purpose: "pour over coffee maker" and "make pour over coffee" differ in intent, though a
    character measure finds them 98 % alike; titles share template words ("…: Options
    Compared") that a character measure would count as most of the likeness."""
    left, right = _terms(a or ""), _terms(b or "")
    if not left or not right:
        return 0.0
    exact = set(right)  # most shared words are the same word: no fuzzy comparison needed
    common = sum(
        1
        for word in left
        if word in exact or process.extractOne(word, right, scorer=fuzz.ratio, score_cutoff=WORD_MATCH)
    )
    return 100 * common / (len(left) + len(right) - common)


@dataclass(frozen=True)
class Piece:
    """An idea or a content as the guard sees it: a title and its target keywords (primary first)."""

    title: str
    keywords: list[str] = field(default_factory=list)
    label: str = ""  # what the log calls it, e.g. 'idea 12 "Best Espresso Machines"'

    @property
    def primary(self) -> str:
        return self.keywords[0] if self.keywords else ""


def similarity(a: Piece, b: Piece) -> float:
    """The higher of the title similarity and the primary-keyword similarity."""
    score = word_similarity(a.title, b.title)
    if a.primary and b.primary:
        score = max(score, word_similarity(a.primary, b.primary))
    return round(score, 1)


def closest(piece: Piece, others: Iterable[Piece]) -> tuple[float, Piece | None]:
    """The most similar of `others` and its score (0, None when there are none)."""
    best: tuple[float, Piece | None] = (0.0, None)
    for other in others:
        score = similarity(piece, other)
        if score > best[0]:
            best = (score, other)
    return best


class PieceIndex:
    """Pieces looked up through their words, for finding the closest piece at or above a
    threshold without comparing with every piece (a site's guard runs for every new idea).

    A title scoring `threshold` or more against another title shares at least `need` of its
    words with it (the same word, or one rapidfuzz rates WORD_MATCH alike; `need` follows from
    the score's formula), so it shares at least one of any len(words) - need + 1 of them: the
    rarest are looked up, and only the pieces listed under them are scored. The same holds for
    the primary keywords. So `closest_at_least` finds every piece closest() would find at or
    above the threshold, scored the same, and the first of them in the order added."""

    def __init__(self, pieces: Iterable[Piece] = ()) -> None:
        self.pieces: list[Piece] = []
        self._titles = _Postings()
        self._primaries = _Postings()
        for piece in pieces:
            self.add(piece)

    def add(self, piece: Piece) -> None:
        self._titles.add(_terms(piece.title or ""), len(self.pieces))
        self._primaries.add(_terms(piece.primary), len(self.pieces))
        self.pieces.append(piece)

    def closest_at_least(
        self, piece: Piece, threshold: float, excluding: int | None = None
    ) -> tuple[float, Piece | None]:
        """closest() among the pieces (but the one at position `excluding`) when its score is at
        least `threshold` (> 0), else (a lower score, possibly 0, None)."""
        return closest(piece, [self.pieces[position] for position in self._sharing(piece, threshold, excluding)])

    def at_least(self, piece: Piece, threshold: float) -> list[tuple[float, int]]:
        """(score, position) of every piece scoring at least `threshold` (> 0) against `piece`,
        in the order added."""
        scored = ((similarity(piece, self.pieces[position]), position) for position in self._sharing(piece, threshold))
        return [(score, position) for score, position in scored if score >= threshold]

    def _sharing(self, piece: Piece, threshold: float, excluding: int | None = None) -> list[int]:
        found = self._titles.sharing(_terms(piece.title or ""), threshold)
        if piece.primary:
            found |= self._primaries.sharing(_terms(piece.primary), threshold)
        found.discard(excluding)
        return sorted(found)


class _Postings:
    """word -> positions of the pieces whose text has it."""

    def __init__(self) -> None:
        self._positions: dict[str, list[int]] = {}
        self._vocabulary: list[str] | None = None

    def add(self, words: tuple[str, ...], position: int) -> None:
        for word in words:
            if word not in self._positions:
                self._positions[word] = []
                self._vocabulary = None
            self._positions[word].append(position)

    def sharing(self, words: tuple[str, ...], threshold: float) -> set[int]:
        if not words or not self._positions:
            return set()
        if self._vocabulary is None:
            self._vocabulary = list(self._positions)
        # score = 100 c / (|L| + |R| - c) with |R| >= 1, so c >= t (|L| + 1) / (1 + t); the
        # score is compared rounded to 0.1, hence the 0.05 off
        t = max(threshold - 0.05, 0) / 100
        need = max(1, math.ceil(t * (len(words) + 1) / (1 + t) - 1e-9))
        alike = [  # each word's entries: the word itself and the words that count as it
            [
                self._positions[match]
                for match, _, _ in process.extract(
                    word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=WORD_MATCH, limit=None
                )
            ]
            for word in words
        ]
        alike.sort(key=lambda entries: sum(map(len, entries)))  # the rarest first
        return {
            position for entries in alike[: len(words) - need + 1] for positions in entries for position in positions
        }
