"""A self-closing tag of the drop-with-content kind (<svg/>, <iframe/>, <script/>) has no
content to drop: the rest of the article must survive it."""

import pytest

from igny8_core.ai.html import sanitize_html, word_count


@pytest.mark.parametrize("tag", ["<svg/>", '<iframe src="https://x.example" />', "<script/>", "<embed src=x />"])
def test_self_closing_dropped_tag_does_not_swallow_the_rest_of_the_article(tag):
    html = f"<p>Intro.</p>{tag}<h2>Section</h2><p>The rest of the article.</p>"
    cleaned = sanitize_html(html)
    assert cleaned == "<p>Intro.</p><h2>Section</h2><p>The rest of the article.</p>"
    assert word_count(cleaned) == 7


def test_real_dropped_content_is_still_dropped():
    assert sanitize_html("<p>a</p><svg><text>evil</text></svg><script>x()</script><p>b</p>") == "<p>a</p><p>b</p>"
