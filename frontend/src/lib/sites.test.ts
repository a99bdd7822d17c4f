import { describe, expect, it } from "vitest";
import type { Site } from "../api/models";
import { EMPTY_SITE, formToSite, hasBrief, siteToForm, validateSite } from "./sites";

describe("validateSite", () => {
  it("asks for a name, a bare domain and 0-10 images", () => {
    const errors = validateSite({ ...EMPTY_SITE, domain: "https://x.com/blog", in_article_images: "11" });
    expect(Object.keys(errors).sort()).toEqual(["domain", "in_article_images", "name"]);
    expect(validateSite({ ...EMPTY_SITE, name: "Blog", domain: "blog.example.com" })).toEqual({});
  });
  it("asks for a duplicate threshold from 0 (off) to 100", () => {
    const ok = { ...EMPTY_SITE, name: "Blog", domain: "blog.example.com" };
    expect(validateSite({ ...ok, duplicate_threshold: "0" })).toEqual({});
    for (const bad of ["", "101", "-1", "8.5"])
      expect(validateSite({ ...ok, duplicate_threshold: bad })).toHaveProperty("duplicate_threshold");
  });
});

describe("site brief", () => {
  const plain = { id: 1, name: "A", domain: "a.com" } as Site;
  it("is offered only when the API carries it", () => {
    expect(hasBrief([plain])).toBe(false);
    expect(hasBrief([{ ...plain, audience: "" }])).toBe(true);
  });
  it("round-trips through the form and is sent only when supported", () => {
    const form = siteToForm({ ...plain, audience: "home baristas", in_article_images: 3 });
    expect(form.audience).toBe("home baristas");
    expect(formToSite(form, false)).not.toHaveProperty("audience");
    expect(formToSite(form, true)).toMatchObject({ audience: "home baristas", in_article_images: 3 });
    expect(formToSite(siteToForm({ ...plain, duplicate_threshold: 0 }), false)).toMatchObject({
      duplicate_threshold: 0,
    });
  });
});
