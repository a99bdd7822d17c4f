"""The cannibalisation guard: ideas for a search intent the site already covers are not created."""

import random

import pytest
from rapidfuzz import fuzz

from igny8_core.accounts.demo_data import DEMO_KEYWORDS
from igny8_core.ai.cannibalisation import site_pieces
from igny8_core.ai.similarity import (
    WORD_MATCH,
    Piece,
    PieceIndex,
    closest,
    normalise,
    similarity,
    terms,
    word_similarity,
)
from igny8_core.planner.models import ContentIdeas
from igny8_core.writer.models import Content

from .conftest import make_cluster, make_task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("best espresso machine", "Best Espresso Machines 2026"),
        ("cold brew ratio", "ratio for cold brew"),
        ("growing tomatoes", "grow tomato"),
    ],
)
def test_plural_word_order_and_year_variants_normalise_alike(a, b):
    assert normalise(a) == normalise(b)


def test_similarity_takes_the_higher_of_title_and_primary_keyword():
    a = Piece("The Complete Guide to Espresso", ["best espresso machine"])
    b = Piece("Espresso at Home, Explained", ["best espresso machines 2026"])
    assert similarity(a, b) == 100
    assert similarity(Piece("Cold Brew Ratios"), Piece("Latte Art for Beginners")) < 40


def test_word_similarity_counts_spelling_variants_and_agrees_with_its_plain_definition():
    def by_definition(a, b):  # every word of one text against every word of the other
        left, right = terms(a), terms(b)
        if not left or not right:
            return 0.0
        common = sum(1 for word in left if any(fuzz.ratio(word, other) >= WORD_MATCH for other in right))
        return 100 * common / (len(left) + len(right) - common)

    assert word_similarity("colour palette", "color palettes") == 100
    texts = [keyword for keyword, *_ in DEMO_KEYWORDS] + ["Colour Theory: Options Compared", "", "2026"]
    for a in texts[::3]:
        for b in texts:
            assert word_similarity(a, b) == pytest.approx(by_definition(a, b)), (a, b)


def test_the_index_finds_what_comparing_with_every_piece_finds_at_or_above_the_threshold():
    words = sorted({word for keyword, *_ in DEMO_KEYWORDS for word in keyword.split()})
    words += ["colour", "color", "organise", "organize", "2026", "the", "best"]  # variants, ignored words
    rng = random.Random(5)

    def text(most: int) -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, most)))

    def piece() -> Piece:
        return Piece(text(6).title(), [text(4)] if rng.random() < 0.8 else [])

    found = 0
    for _ in range(60):
        pieces = [piece() for _ in range(rng.randint(0, 60))]
        index = PieceIndex(pieces)
        for new in (piece() for _ in range(10)):
            every = closest(new, pieces)
            for threshold in (1, 20, 50, 70, 85, 100):
                score, match = index.closest_at_least(new, threshold)
                if every[0] >= threshold:
                    assert (score, match) == every, (new, threshold)
                    found += 1
                else:
                    assert score < threshold
                scored = [(similarity(new, p), n) for n, p in enumerate(pieces)]
                assert index.at_least(new, threshold) == [(sc, n) for sc, n in scored if sc >= threshold]
        for position, own in enumerate(pieces):  # each piece against the others
            others = pieces[:position] + pieces[position + 1 :]
            every = closest(own, others)
            score, match = index.closest_at_least(own, 30, excluding=position)
            assert (score, match) == every if every[0] >= 30 else score < 30, (own, others)
    assert found > 1000  # the thresholds were reached often enough to mean something


def existing_idea(site, title, keywords):
    return ContentIdeas.objects.create(site=site, idea_title=title, target_keywords=keywords)


def test_an_idea_for_a_covered_intent_is_skipped_and_named_in_the_notes(engine, site):
    cluster = make_cluster(site, "Cold Brew", ("cold brew recipe", "cold brew ratio"))
    old = existing_idea(site, "The Complete Guide to Cold Brew", ["cold brew recipe"])

    result = engine.run("generate_ideas", [cluster.pk])

    new = ContentIdeas.objects.filter(cluster=cluster)
    assert result.stats["duplicates_skipped"] >= 1
    assert result.stats["ideas_created"] == new.count() == 2 - result.stats["duplicates_skipped"]
    note = result.notes[0]
    assert note.startswith('Skipped idea "') and f'idea {old.pk} "The Complete Guide to Cold Brew"' in note
    assert "≥ 85" in note


def test_existing_content_counts_too(engine, site):
    cluster = make_cluster(site, "Cold Brew", ("cold brew recipe", "cold brew ratio"))
    task = make_task(site)  # primary keyword: cold brew recipe
    Content.objects.create(site=site, title="Cold brew at home", task=task)
    result = engine.run("generate_ideas", [cluster.pk])
    # The demo gives one idea each keyword: the "cold brew recipe" one competes with the content.
    [kept] = ContentIdeas.objects.filter(cluster=cluster)
    assert result.stats["duplicates_skipped"] == 1 and kept.target_keywords[0] != "cold brew recipe"
    [note] = result.notes
    assert f'content {task.content.pk} "Cold brew at home"' in note


def test_threshold_zero_turns_the_guard_off(engine, site):
    site.duplicate_threshold = 0
    site.save()
    cluster = make_cluster(site, "Cold Brew", ("cold brew recipe", "cold brew ratio"))
    existing_idea(site, "The Complete Guide to Cold Brew", ["cold brew recipe"])
    result = engine.run("generate_ideas", [cluster.pk])
    assert result.stats["duplicates_skipped"] == 0 and result.stats["ideas_created"] == 2


def test_unrelated_ideas_of_one_cluster_are_both_kept(engine, site):
    cluster = make_cluster(site, "Cold Brew", ("cold brew recipe", "cold brew concentrate ratio"))
    existing_idea(site, "Latte Art for Beginners", ["latte art"])
    result = engine.run("generate_ideas", [cluster.pk])
    assert result.stats == {"clusters_processed": 1, "ideas_created": 2, "duplicates_skipped": 0}


def test_the_guard_reads_only_its_own_site_and_sees_what_was_saved_since_its_last_read(site, bob_site):
    first = existing_idea(site, "Latte Art for Beginners", ["latte art"])
    existing_idea(bob_site, "Bob's Espresso Guide", ["espresso"])
    assert [p.label for p in site_pieces(site)] == [f'idea {first.pk} "Latte Art for Beginners"']
    existing_idea(site, "Cold Brew at Home", ["cold brew", "iced coffee"])  # its SQL is kept, not its rows
    pieces = site_pieces(site)
    assert [(p.title, p.keywords) for p in pieces] == [
        ("Latte Art for Beginners", ["latte art"]),
        ("Cold Brew at Home", ["cold brew"]),  # only the primary keyword is compared
    ]
    assert [p.title for p in site_pieces(bob_site)] == ["Bob's Espresso Guide"]
