"""Put a content's in-article images into its HTML for publishing (pure string work).

An image the HTML already references (an <img> whose src is the image's local URL) gets its
src rewritten to the uploaded URL. Any other in-article image is inserted as a <figure> right
after the heading of section n (n = its order, 1-based: the first image under the first <h2>),
or at the end when the article has fewer sections.
"""

import html as html_lib
import re
from dataclasses import dataclass

_H2_END = re.compile(r"</h2\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class ArticleImage:
    local_urls: tuple[str, ...]  # how the HTML may reference the image locally
    remote_url: str
    alt: str = ""


def figure(image: ArticleImage) -> str:
    src = html_lib.escape(image.remote_url, quote=True)
    alt = html_lib.escape(image.alt, quote=True)
    return f'<figure class="wp-block-image"><img src="{src}" alt="{alt}"/></figure>'


def _rewrite_src(html: str, image: ArticleImage) -> tuple[str, bool]:
    found = False
    for local in filter(None, image.local_urls):
        pattern = re.compile(r"""(src\s*=\s*["'])""" + re.escape(local) + r"""(["'])""")
        html, n = pattern.subn(lambda m: m.group(1) + image.remote_url + m.group(2), html)
        found = found or n > 0
    return html, found


def place_images(html: str, images: list[ArticleImage]) -> str:
    """`images` in article order. Returns the HTML with every image present exactly once."""
    to_insert: list[tuple[int, ArticleImage]] = []
    for order, image in enumerate(images, start=1):
        html, referenced = _rewrite_src(html, image)
        if not referenced:
            to_insert.append((order, image))
    heading_ends = [m.end() for m in _H2_END.finditer(html)]
    tail: list[str] = []
    # Insert back to front so earlier offsets stay valid.
    for order, image in reversed(to_insert):
        if order <= len(heading_ends):
            at = heading_ends[order - 1]
            html = html[:at] + figure(image) + html[at:]
        else:
            tail.insert(0, figure(image))
    return html + "".join(tail)
