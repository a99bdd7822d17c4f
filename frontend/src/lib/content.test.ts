import { describe, expect, it } from "vitest";
import type { StageDescription } from "../api/models";
import { aContent, anImage } from "../test/fixtures";
import { featuredThumbnail, placeImages, previewDocument } from "./content";
import { resultRows } from "./results";

const featured = anImage({
  id: 1,
  image_type: "featured",
  position: 0,
  status: "generated",
  url: "/media/a/f.png",
  thumbnail_url: "/media/a/f_t.png",
  alt_text: 'A "cup"',
});
const content = aContent({
  title: "Pour over coffee",
  word_count: 900,
  html_content: '<h1>Pour over</h1><p>Text</p><img src="/media/a/in1.png">',
  featured_image: featured,
  images: [
    featured,
    anImage({ id: 2, position: 1, status: "generated", url: "/media/a/in1.png" }),
    anImage({ id: 3, position: 2, status: "generated", url: "/media/a/in2.png" }),
    anImage({ id: 4, position: 3, status: "pending", url: null }),
  ],
});

describe("review helpers", () => {
  it("shows the featured image thumbnail, else the image", () => {
    expect(featuredThumbnail(content)).toBe("/media/a/f_t.png");
    const withoutThumbnail = anImage({ id: 9, image_type: "featured", url: "/f.png", thumbnail_url: null });
    expect(featuredThumbnail({ featured_image: withoutThumbnail })).toBe("/f.png");
    expect(featuredThumbnail({ featured_image: null })).toBeNull();
  });

  it("builds a preview with the featured image and the images the HTML lacks, escaped", () => {
    const doc = previewDocument(content);
    expect(doc).toContain('src="/media/a/f.png"');
    expect(doc).toContain('alt="A &quot;cup&quot;"');
    expect(doc.match(/in1\.png/g)).toHaveLength(1); // already in the HTML: not repeated
    expect(doc).toContain("in2.png");
    expect(doc).not.toContain("<script");
  });

  it("puts in-article images where the publisher puts them: after the nth section heading, else at the end", () => {
    const img = (id: number, position: number) =>
      anImage({ id, position, status: "generated", url: `/m/i${id}.png` });
    const html = "<p>intro</p><h2>One</h2><p>a</p><h2>Two</h2><p>b</p>";
    const placed = placeImages(html, [img(3, 3), img(1, 1), img(2, 2)]);
    expect(placed.indexOf("i1.png")).toBeGreaterThan(placed.indexOf("<h2>One</h2>"));
    expect(placed.indexOf("i1.png")).toBeLessThan(placed.indexOf("<p>a</p>"));
    expect(placed.indexOf("i2.png")).toBeGreaterThan(placed.indexOf("<h2>Two</h2>"));
    expect(placed.indexOf("i2.png")).toBeLessThan(placed.indexOf("<p>b</p>"));
    expect(placed.endsWith("<figcaption></figcaption></figure>")).toBe(true);
    expect(placed.indexOf("i3.png")).toBeGreaterThan(placed.indexOf("<p>b</p>"));
  });
});

const STAGE_4: StageDescription = {
  number: 4,
  name: "Tasks → Content",
  kind: "AI",
  function: "generate_content",
  consumes: "tasks",
  produces: "content",
  processed_key: "tasks_processed",
  created_key: "content_created",
  stats: [
    { key: "tasks_processed", label: "Tasks processed" },
    { key: "content_created", label: "Content created" },
    { key: "total_words", label: "Words written" },
  ],
};

describe("stage result rows", () => {
  it("labels known fields, hides zero failures and formats time", () => {
    expect(
      resultRows(STAGE_4, {
        tasks_processed: 3,
        content_created: 3,
        total_words: 2400,
        items_failed: 0,
        time_elapsed: 75,
      }),
    ).toEqual([
      ["Tasks processed", "3"],
      ["Content created", "3"],
      ["Words written", "2,400"],
      ["Time", "1m 15s"],
    ]);
    expect(resultRows(STAGE_4, null)).toEqual([]);
    // Credits read like everywhere else (the API's "2.40" is "2.4").
    expect(resultRows(STAGE_4, { credits_used: "2.40" })).toEqual([["Credits used", "2.4"]]);
  });
});
