"""Local keyword clustering (AutomationConfig.clustering_method = "local"): deterministic,
free and offline, an alternative to asking the text model.

Keywords are compared by the meaningful words they share (similarity.terms: stop words out,
plurals stemmed, generic modifiers such as "beginners" or "tips" out), each word weighted by how
rare it is among the keywords compared (the batch and the existing clusters' keywords: IDF). A keyword joins the existing
cluster it is most similar to on average (over the cluster's keywords) when that reaches ATTACH;
the rest are grouped among themselves by average-linkage agglomeration down to MERGE. A new cluster is named
after the words its keywords share most.
"""

import math
from collections import Counter
from typing import Any

from .similarity import terms

ATTACH = 0.5  # average similarity to an existing cluster's keywords
MERGE = 0.5  # average weighted Jaccard two new groups need to merge


# Modifiers any topic's keywords use: they say nothing about which topic a keyword belongs to.
GENERIC = frozenset(
    [
        "beginner",
        "easy",
        "tip",
        "idea",
        "cheap",
        "free",
        "review",
        "list",
        "ranked",
        "type",
        "way",
        "step",
        "simple",
        "fast",
        "much",
        "long",
        "often",
    ]
)


def topic_terms(keyword: str) -> set[str]:
    return {word for word in terms(keyword) if word not in GENERIC}


class Vocabulary:
    """IDF weights of the words of the keywords compared. A word only one keyword uses cannot
    link two keywords, so it weighs nothing (a rare modifier must not push keywords apart)."""

    def __init__(self, texts: list[str]):
        frequency = Counter(word for text in texts for word in topic_terms(text))
        self.size = max(len(texts), 1)
        self.idf = {word: math.log(1 + self.size / count) for word, count in frequency.items() if count > 1}

    def weight(self, word: str) -> float:
        return self.idf.get(word, 0.0)

    def similarity(self, a: set[str], b: set[str]) -> float:
        """Weighted overlap coefficient: the shared weight over the lighter keyword's weight."""
        lighter = min(sum(self.weight(w) for w in a), sum(self.weight(w) for w in b))
        return sum(self.weight(w) for w in a & b) / lighter if lighter else 0.0


def _name(members: list[str], vocabulary: Vocabulary) -> str:
    """The group's most shared words (at most two), in the order a member uses them."""
    counts = Counter(word for keyword in members for word in set(terms(keyword)))
    ranked = sorted(counts, key=lambda w: (-counts[w], -vocabulary.weight(w), w))
    shared = [w for w in ranked[:2] if counts[w] >= max(2, len(members) / 2)] or ranked[:1]
    for keyword in members:
        words = keyword.lower().split()
        picked = [w for w in words if terms(w) and terms(w)[0] in shared]
        if len(picked) >= len(shared):
            return " ".join(dict.fromkeys(picked)).title()[:255]
    return members[0].title()[:255]


def _average(vocabulary: Vocabulary, own: set[str], members: list[set[str]]) -> float:
    """Average similarity to a cluster's keywords (average linkage: a cluster is joined for
    what its keywords have in common, not for one keyword that happens to share a word)."""
    return sum(vocabulary.similarity(own, other) for other in members) / len(members) if members else 0.0


def cluster_keywords(keywords: list[dict[str, Any]], existing: dict[str, list[str]]) -> list[dict[str, Any]]:
    """`keywords`: [{"id", "keyword"}]; `existing`: {cluster name: its keywords}. Returns
    [{"name", "description", "keyword_ids"}] (the shape the model answers), existing names
    reused exactly."""
    vocabulary = Vocabulary([k["keyword"] for k in keywords] + [kw for kws in existing.values() for kw in kws])
    words = {k["id"]: topic_terms(k["keyword"]) for k in keywords}
    text = {k["id"]: k["keyword"] for k in keywords}
    existing_words = {name: [topic_terms(kw) for kw in kws] for name, kws in existing.items()}

    assigned: dict[str, list[int]] = {}
    loose: list[int] = []
    for keyword_id, own in words.items():
        best = max(
            ((_average(vocabulary, own, members), name) for name, members in existing_words.items()),
            default=(0.0, ""),
        )
        if best[0] >= ATTACH:
            assigned.setdefault(best[1], []).append(keyword_id)
        else:
            loose.append(keyword_id)

    groups = [[keyword_id] for keyword_id in loose]
    pair = {(a, b): vocabulary.similarity(words[a], words[b]) for a in loose for b in loose}
    while True:
        best_merge = None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                score = sum(pair[a, b] for a in groups[i] for b in groups[j]) / (len(groups[i]) * len(groups[j]))
                if score >= MERGE and (best_merge is None or score > best_merge[0]):
                    best_merge = (score, i, j)
        if best_merge is None:
            break
        _, i, j = best_merge
        groups[i] += groups.pop(j)

    result = [
        {"name": name, "description": f"{len(ids)} keyword(s) grouped locally.", "keyword_ids": ids}
        for name, ids in assigned.items()
    ]
    taken = {name.lower() for name in existing} | {name.lower() for name in assigned}
    for members in groups:
        name = _name([text[i] for i in members], vocabulary)
        while name.lower() in taken:  # two groups named alike stay apart: number the later one
            name = f"{name} {sum(1 for t in taken if t.startswith(name.lower())) + 1}"
        taken.add(name.lower())
        result.append(
            {
                "name": name,
                "description": f"{len(members)} keyword(s) grouped locally: "
                + ", ".join(text[i] for i in members[:4])
                + ".",
                "keyword_ids": members,
            }
        )
    return result
