"""The quality checks, one by one, and the score."""

import gc
import sys
import threading
import time

import pytest
from celery.signals import worker_init
from textstat.backend.utils import get_cmudict

from igny8_core import celery as igny8_celery
from igny8_core.ai import quality
from igny8_core.ai.similarity import Piece, PieceIndex
from igny8_core.writer.models import Content, Tasks

GOOD = (
    "<p>A cold brew ratio decides how strong your coffee tastes. Start with one part coffee to eight parts "
    "water. Stir it well and let it rest.</p><h2>Finding your cold brew ratio</h2><p>Try a small jar first. "
    "Taste it after a day. Add water if it is too strong.</p><h3>Stronger brews</h3><p>Use less water.</p>"
    "<h2>Storing it</h2><p>Keep it cold. Drink it within a week.</p>"
)


def test_word_count_against_the_target():
    assert quality.word_count_check(960, 1200)["passed"]
    failed = quality.word_count_check(400, 1200)
    assert not failed["passed"] and failed["detail"] == "400 words; at least 960 expected (1200 targeted)."


def test_primary_keyword_in_title_intro_and_a_heading():
    checks = {c["name"]: c["passed"] for c in quality.keyword_checks("Cold Brew Ratios", GOOD, "cold brew ratio")}
    assert checks == {"keyword_in_title": True, "keyword_in_intro": True, "keyword_in_heading": True}
    checks = {c["name"]: c["passed"] for c in quality.keyword_checks("Iced coffee", "<p>x</p>", "cold brew ratio")}
    assert checks == {"keyword_in_title": False, "keyword_in_intro": False, "keyword_in_heading": False}


@pytest.mark.parametrize(
    ("html", "passed", "detail"),
    [
        (GOOD, True, "2 H2 and 1 H3, no skipped level."),
        ("<p>x</p><h3>a</h3>", False, "No H2 section; H3 after H1"),
        ("<h2>a</h2><h4>b</h4>", False, "H4 after H2 skips a level"),
        ("<h1>a</h1><h1>b</h1><h2>c</h2>", False, "2 H1 headings (one at most)"),
    ],
)
def test_heading_structure(html, passed, detail):
    check = quality.heading_check(html)
    assert check["passed"] is passed and check["detail"].startswith(detail)


def test_readability_uses_the_site_language_formula():
    easy = quality.readability_check(GOOD, "English")
    assert easy["passed"] and easy["detail"].startswith("Flesch reading ease ") and "(en)" in easy["detail"]
    hard = quality.readability_check(
        "<p>Notwithstanding considerable methodological heterogeneity, comprehensive extraction "
        "parameterisation fundamentally necessitates interdisciplinary characterisation.</p>",
        "English",
    )
    assert not hard["passed"]
    assert "(de)" in quality.readability_check("<p>Kalter Kaffee ist einfach.</p>", "German")["detail"]
    assert quality.readability_check(GOOD, "Klingon") == {
        "name": "readability",
        "passed": True,
        "detail": "No readability formula for Klingon; not measured.",
    }


def _current_language() -> str:
    return quality.textstat.set_lang.__self__._textstatistics__lang  # textstat's process-wide setting


def test_readability_in_two_languages_at_once_scores_each_in_its_own(monkeypatch):
    """textstat's language is process-wide: a thread must not change it under another's score."""
    seen = []
    real = quality.textstat.flesch_reading_ease
    started = threading.Barrier(2, timeout=5)

    def slow_score(text):
        before = _current_language()
        try:
            started.wait(timeout=0.3)  # both threads inside at once, unless a lock keeps one out
        except threading.BrokenBarrierError:
            pass
        time.sleep(0.05)
        seen.append((before, _current_language()))
        return real(text)

    monkeypatch.setattr(quality.textstat, "flesch_reading_ease", slow_score)
    threads = [
        threading.Thread(target=quality.readability_check, args=(GOOD, language)) for language in ("English", "German")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 2 and all(before == after for before, after in seen)


def test_internal_links_metadata_alt_text_avoided_terms():
    assert quality.links_check([{}, {}], 5)["passed"] and not quality.links_check([{}], 5)["passed"]
    assert quality.links_check([], 0)["passed"]  # nothing to link to on the site yet
    assert quality.metadata_check("Cold Brew Ratios", "x" * 140)["passed"]
    assert quality.metadata_check("x" * 61, "x" * 100)["detail"] == (
        "Meta title is 61 characters (1-60); meta description is 100 characters (120-160)"
    )
    assert quality.alt_text_check("<p>x</p>", ["a cup"])["passed"]
    assert not quality.alt_text_check('<img src="/a.png" alt="">', ["a cup"])["passed"]
    assert quality.alt_text_check("", [])["detail"] == "No images."
    used = quality.avoided_terms_check("Cold brew", GOOD + "<p>Guaranteed results!</p>", ["guaranteed results"])
    assert not used["passed"] and used["detail"] == "Uses avoided terms: guaranteed results."


def test_unique_intent_against_the_site_content():
    me = Piece("Cold Brew Ratios", ["cold brew ratio"])
    twin = Piece("Cold Brew Ratio Guide", ["cold brew ratios"], 'content 3 "Cold Brew Ratio Guide"')
    failed = quality.similarity_check(me, PieceIndex([twin]), 85)
    assert (
        not failed["passed"] and failed["detail"] == '100 similar to content 3 "Cold Brew Ratio Guide" (threshold 85).'
    )
    assert quality.similarity_check(me, PieceIndex([twin]), 0)["passed"]
    unique = quality.similarity_check(me, PieceIndex([Piece("Latte Art", ["latte art"])]), 85)
    assert unique["passed"] and unique["detail"] == "No other content is 85 or more similar."
    assert quality.similarity_check(me, PieceIndex([me]), 85, own=0)["passed"]  # itself is not another
    assert not quality.similarity_check(me, PieceIndex([twin, me]), 85, own=1)["passed"]


@pytest.mark.django_db
def test_score_is_the_share_of_checks_passed(site, settings):
    settings.IGNY8_AI_CONTENT_WORDS = 60
    task = Tasks.objects.create(site=site, title="t", keywords=["cold brew ratio"])
    content = Content.objects.create(
        site=site,
        task=task,
        title="Cold Brew Ratios",
        html_content=GOOD,
        word_count=70,
        meta_title="Cold Brew Ratios",
        meta_description="y" * 130,
    )
    result = quality.evaluate(content, site, PieceIndex(), available=0)
    assert [c["name"] for c in result["checks"]] == [
        "word_count",
        "keyword_in_title",
        "keyword_in_intro",
        "keyword_in_heading",
        "heading_structure",
        "readability",
        "internal_links",
        "metadata_lengths",
        "image_alt_text",
        "avoided_terms",
        "unique_intent",
    ]
    assert result["score"] == 100 and quality.failed_checks(result) == []
    content.meta_title = ""
    assert quality.evaluate(content, site, PieceIndex(), available=0)["score"] == round(100 * 10 / 11)


def _forget_textstat_caches():
    """textstat as in a fresh process: every cached result dropped, the dictionary with them."""
    for name, module in list(sys.modules.items()):
        if name == "textstat" or name.startswith("textstat."):
            for value in vars(module).values():
                if hasattr(value, "cache_clear"):
                    value.cache_clear()


@pytest.fixture
def unfrozen():
    """The collector as the rest of the suite expects it, whatever the warm-up froze."""
    yield
    gc.unfreeze()


def test_worker_start_loads_the_readability_dictionary(unfrozen):
    assert any(receiver is igny8_celery._warm_up for _, receiver in worker_init.receivers)
    _forget_textstat_caches()
    assert get_cmudict.cache_info().currsize == 0
    gc.unfreeze()
    igny8_celery._warm_up()
    # What it loaded is frozen: no full collection walks the dictionary again.
    assert gc.get_freeze_count() > len(get_cmudict("en"))
    loaded = get_cmudict.cache_info()
    english = get_cmudict("en")  # what readability_check asks for: the loaded dictionary, not a new load
    assert get_cmudict.cache_info().hits == loaded.hits + 1 and "coffee" in english
    quality.warm_up()  # a second call reuses it
    assert get_cmudict.cache_info().misses == loaded.misses


def test_a_failed_warm_up_only_logs_a_warning(monkeypatch, caplog, unfrozen):
    def broken(text):
        raise OSError("dictionary missing")

    monkeypatch.setattr(quality.textstat, "flesch_reading_ease", broken)
    igny8_celery._warm_up()
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "Could not warm up the quality check" in caplog.text
