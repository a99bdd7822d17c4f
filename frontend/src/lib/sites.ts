// The site form: what the user types, what the API gets, and the checks worth doing before
// a round trip (the server validates everything again and its field errors win).
import type { Site, SiteInput } from "../api/models";
import type { FieldErrors } from "./errors";

export const BRIEF_FIELDS = ["audience", "brand_voice", "avoid_terms"] as const;

export interface SiteForm {
  name: string;
  domain: string;
  timezone: string;
  language: string;
  topic: string;
  tone: string;
  in_article_images: string;
  duplicate_threshold: string;
  audience: string;
  brand_voice: string;
  avoid_terms: string;
}

export const EMPTY_SITE: SiteForm = {
  name: "",
  domain: "",
  timezone: "UTC",
  language: "English",
  topic: "",
  tone: "friendly, expert",
  in_article_images: "2",
  duplicate_threshold: "85",
  audience: "",
  brand_voice: "",
  avoid_terms: "",
};

/** True when the sites API carries the site brief (audience, brand voice, terms to avoid). */
export function hasBrief(sites: Site[]): boolean {
  return sites.some((s) => BRIEF_FIELDS.some((key) => key in s));
}

export function siteToForm(site: Site): SiteForm {
  const text = (v: unknown, fallback = "") => (v === undefined || v === null ? fallback : String(v));
  return {
    name: site.name,
    domain: site.domain,
    timezone: text(site.timezone, "UTC"),
    language: text(site.language, "English"),
    topic: text(site.topic),
    tone: text(site.tone),
    in_article_images: text(site.in_article_images, "2"),
    duplicate_threshold: text(site.duplicate_threshold, "85"),
    audience: text(site.audience),
    brand_voice: text(site.brand_voice),
    avoid_terms: text(site.avoid_terms),
  };
}

export function validateSite(form: SiteForm): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.name.trim()) errors.name = ["Give the site a name."];
  const domain = form.domain.trim();
  if (!domain) errors.domain = ["Give the site's domain, e.g. example.com."];
  else if (domain.includes("://") || domain.includes("/"))
    errors.domain = ["Give the bare domain, e.g. example.com (no scheme or path)."];
  const images = Number(form.in_article_images);
  if (form.in_article_images.trim() === "" || !Number.isInteger(images) || images < 0 || images > 10)
    errors.in_article_images = ["A whole number from 0 to 10."];
  const threshold = Number(form.duplicate_threshold);
  if (
    form.duplicate_threshold.trim() === "" ||
    !Number.isInteger(threshold) ||
    threshold < 0 ||
    threshold > 100
  )
    errors.duplicate_threshold = ["A whole number from 0 (off) to 100."];
  if (!form.timezone.trim()) errors.timezone = ["Choose a time zone."];
  return errors;
}

export function formToSite(form: SiteForm, withBrief: boolean): Partial<SiteInput> {
  const body: Partial<SiteInput> = {
    name: form.name.trim(),
    domain: form.domain.trim(),
    timezone: form.timezone.trim(),
    language: form.language.trim(),
    topic: form.topic.trim(),
    tone: form.tone.trim(),
    in_article_images: Number(form.in_article_images),
    duplicate_threshold: Number(form.duplicate_threshold),
  };
  if (withBrief) for (const key of BRIEF_FIELDS) body[key] = form[key].trim();
  return body;
}

/** The IANA time zones the browser knows (for the picker); UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}
