// Content preview helpers for the review page.
import type { ContentItem, ImageItem } from "../api/models";

/** URL of the featured image's thumbnail (or the image itself). */
export function featuredThumbnail(content: Pick<ContentItem, "featured_image">): string | null {
  const featured = content.featured_image;
  return featured ? (featured.thumbnail_url ?? featured.url ?? null) : null;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function figure(image: ImageItem): string {
  const alt = escapeHtml(image.alt_text || image.prompt || "");
  return `<figure><img src="${escapeHtml(image.url!)}" alt="${alt}"><figcaption>${alt}</figcaption></figure>`;
}

/**
 * The article with its in-article images where they will be published: an image the HTML
 * does not reference already goes right after the heading of section n (n = its order among
 * them, the first under the first <h2>), or at the end when the article has fewer sections,
 * the same rule the WordPress publisher applies (igny8_core/publishing/html.py).
 */
export function placeImages(html: string, inArticle: ImageItem[]): string {
  const missing = inArticle.filter((i) => !html.includes(i.url!)).sort((a, b) => a.position - b.position);
  const ends = [...html.matchAll(/<\/h2\s*>/gi)].map((m) => m.index! + m[0].length);
  let out = html;
  const tail: string[] = [];
  // Back to front, so earlier offsets stay valid.
  for (let order = missing.length; order >= 1; order--) {
    const image = missing[order - 1];
    if (order <= ends.length) {
      const at = ends[order - 1];
      out = out.slice(0, at) + figure(image) + out.slice(at);
    } else tail.unshift(figure(image));
  }
  return out + tail.join("");
}

/**
 * A standalone HTML document for a sandboxed iframe: the featured image, then the article
 * with its in-article images in place (no scripts run in it).
 */
export function previewDocument(content: ContentItem): string {
  const html = content.html_content ?? "";
  const images = (content.images ?? []).filter((i) => i.url);
  const featured = images.find((i) => i.image_type === "featured");
  const inArticle = images.filter((i) => i.image_type === "in_article");
  const head = `<meta charset="utf-8"><base target="_blank"><style>
    body{font-family:system-ui,sans-serif;line-height:1.6;color:#0f172a;margin:16px;max-width:760px}
    img{max-width:100%;height:auto;border-radius:8px} figure{margin:16px 0} figcaption{font-size:12px;color:#475569}
    h1{font-size:1.6rem} h2{font-size:1.25rem}</style>`;
  const top = featured && !html.includes(featured.url!) ? figure(featured) : "";
  return `<!doctype html><html><head>${head}</head><body>${top}${placeImages(html, inArticle)}</body></html>`;
}
