"""Internal links: cluster siblings first, natural anchors in the text, re-linking, and the
published HTML pointing only at published articles."""

import pytest

from igny8_core.ai import linking
from igny8_core.planner.models import Clusters
from igny8_core.writer.models import Content, Tasks

pytestmark = pytest.mark.django_db

BODY = (
    "<p>Intro about cold brew recipe ideas and a cold brew ratio that works.</p>"
    "<h2>Basics</h2><p>First paragraph.</p><h2>More</h2><p>Second paragraph.</p><h2>End</h2><p>Last one.</p>"
)


def article(site, title, cluster=None, keywords=(), body=BODY, **fields):
    task = Tasks.objects.create(site=site, title=title, keywords=list(keywords), cluster=cluster)
    values = {"status": Content.Status.REVIEW, "slug": linking_slug(title), **fields}
    return Content.objects.create(site=site, title=title, task=task, cluster=cluster, html_content=body, **values)


def linking_slug(title):
    return title.lower().replace(" ", "-")


@pytest.fixture
def cluster(site):
    return Clusters.objects.create(site=site, name="Cold Brew")


def test_anchor_is_a_phrase_of_the_text_and_siblings_come_first(site, cluster):
    me = article(site, "Cold Brew Guide", cluster, ["cold brew guide"])
    sibling = article(site, "Cold Brew Ratio Explained", cluster, ["cold brew ratio"])
    other = article(site, "Latte Art", None, ["latte art"])

    links = linking.link_article(me, linking.site_candidates(site))

    assert [link["content_id"] for link in links] == [sibling.pk]  # latte art is not related
    assert links == [{"content_id": sibling.pk, "anchor": "cold brew ratio", "url": "/cold-brew-ratio-explained/"}]
    assert f'a <a class="igny8-link-{sibling.pk}" href="/cold-brew-ratio-explained/">cold brew ratio</a> that' in (
        me.html_content
    )
    assert other.pk not in {link["content_id"] for link in links}


def test_without_a_matching_phrase_a_sentence_is_added_inside_the_text(site, cluster):
    me = article(site, "Cold Brew Guide", cluster, ["cold brew guide"])
    sibling = article(site, "Steeping Times", cluster, ["steeping time"])
    linking.link_article(me, linking.site_candidates(site))
    [link] = me.internal_links
    assert link == {"content_id": sibling.pk, "anchor": "Steeping Times", "url": "/steeping-times/"}
    sentence = f'<span class="igny8-related">Related: <a class="igny8-link-{sibling.pk}" href="/steeping-times/">'
    assert sentence in me.html_content
    assert me.html_content.index(sentence) < me.html_content.index("<h2>End</h2>")  # not a list at the end


def test_at_most_five_links_never_to_itself_and_relinking_is_idempotent(site, cluster):
    me = article(site, "Cold Brew Guide", cluster, ["cold brew guide"])
    for n in range(7):
        article(site, f"Cold Brew Part {n}", cluster, [f"cold brew part {n}"])
    candidates = linking.site_candidates(site)
    linking.link_article(me, candidates)
    first = (me.html_content, me.internal_links)
    ids = [link["content_id"] for link in me.internal_links]
    assert len(ids) == 5 and len(set(ids)) == 5 and me.pk not in ids
    linking.link_article(me, candidates)
    assert (me.html_content, me.internal_links) == first
    assert linking.strip_links(me.html_content) == BODY


def test_an_earlier_article_gains_a_link_to_a_sibling_written_later(site, cluster):
    earlier = article(site, "Cold Brew Guide", cluster, ["cold brew guide"])
    linking.relink_site(site, [earlier.pk])
    earlier.refresh_from_db()
    assert earlier.internal_links == []

    later = article(site, "Cold Brew Ratio Explained", cluster, ["cold brew ratio"])
    changed = linking.relink_site(site, [later.pk])

    earlier.refresh_from_db()
    assert set(changed) == {earlier.pk, later.pk}
    assert [link["content_id"] for link in earlier.internal_links] == [later.pk]


def test_published_html_keeps_links_to_published_content_only(site, cluster):
    published = article(
        site,
        "Cold Brew Ratio Explained",
        cluster,
        ["cold brew ratio"],
        status=Content.Status.PUBLISHED,
        site_status=Content.SiteStatus.PUBLISHED,
        external_url="https://blog.example.com/cold-brew-ratio/",
    )
    unpublished = article(site, "Steeping Times", cluster, ["steeping time"])
    me = article(site, "Cold Brew Guide", cluster, ["cold brew guide"])
    linking.link_article(me, linking.site_candidates(site))
    assert {link["content_id"]: link["url"] for link in me.internal_links} == {
        published.pk: "https://blog.example.com/cold-brew-ratio/",
        unpublished.pk: "/steeping-times/",
    }

    html = linking.published_html(me.html_content, site.pk)

    assert f'<a class="igny8-link-{published.pk}" href="https://blog.example.com/cold-brew-ratio/">' in html
    assert f"igny8-link-{unpublished.pk}" not in html and "Steeping Times" not in html
    # once the sibling is out, the next publish of the article links it
    Content.objects.filter(pk=unpublished.pk).update(
        site_status=Content.SiteStatus.PUBLISHED, external_url="https://blog.example.com/steeping/"
    )
    assert 'href="https://blog.example.com/steeping/">Steeping Times</a>' in linking.published_html(
        me.html_content, site.pk
    )
