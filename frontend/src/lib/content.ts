// Content preview helpers for the review page.
import type { ContentItem, ImageItem } from "../api/types";

/** URL of the featured image's thumbnail (or the image itself), whatever shape the API gave. */
export function featuredThumbnail(content: ContentItem): string | null {
  const featured =
    content.featured_image ??
    content.images?.find((i) => i.image_type === "featured" && (i.thumbnail_url || i.url));
  return featured ? (featured.thumbnail_url ?? featured.url ?? null) : null;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function figure(image: ImageItem): string {
  const alt = escapeHtml(image.alt_text || image.prompt || "");
  return `<figure><img src="${escapeHtml(image.url!)}" alt="${alt}"><figcaption>${alt}</figcaption></figure>`;
}

/**
 * A standalone HTML document for a sandboxed iframe: the featured image, the article, and
 * the generated in-article images the HTML does not already show (no scripts run in it).
 */
export function previewDocument(content: ContentItem): string {
  const html = content.html_content ?? "";
  const images = (content.images ?? []).filter((i) => i.url);
  const featured = images.find((i) => i.image_type === "featured");
  const inArticle = images
    .filter((i) => i.image_type === "in_article" && !html.includes(i.url!))
    .sort((a, b) => a.position - b.position);
  const head = `<meta charset="utf-8"><base target="_blank"><style>
    body{font-family:system-ui,sans-serif;line-height:1.6;color:#0f172a;margin:16px;max-width:760px}
    img{max-width:100%;height:auto;border-radius:8px} figure{margin:16px 0} figcaption{font-size:12px;color:#64748b}
    h1{font-size:1.6rem} h2{font-size:1.25rem}</style>`;
  const top = featured && !html.includes(featured.url!) ? figure(featured) : "";
  const gallery = inArticle.length ? `<hr><h3>In-article images</h3>${inArticle.map(figure).join("")}` : "";
  return `<!doctype html><html><head>${head}</head><body>${top}${html}${gallery}</body></html>`;
}
