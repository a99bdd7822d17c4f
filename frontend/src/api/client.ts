// The one place that talks HTTP. Session auth with Django's CSRF token (read from the
// csrftoken cookie on every unsafe request: Django rotates it at login).
import { ApiError } from "../lib/errors";
import endpoints from "./endpoints.json";

export type EndpointName = Exclude<keyof typeof endpoints, "_comment">;
type Query = Record<string, string | number | boolean | null | undefined>;

export function endpointPath(name: EndpointName, params: Record<string, string | number> = {}): string {
  const [, template] = endpoints[name] as [string, string];
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (params[key] === undefined) throw new Error(`missing path parameter ${key} for ${name}`);
    return encodeURIComponent(String(params[key]));
  });
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

function csrfToken(): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** Called with 401/403 answers so the app can send the user to /login. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(handler: (() => void) | null) {
  onUnauthorized = handler;
}

export interface CallOptions {
  params?: Record<string, string | number>;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export async function call<T>(name: EndpointName, options: CallOptions = {}): Promise<T> {
  const [method] = endpoints[name] as [string, string];
  const url = withQuery(endpointPath(name, options.params), options.query);
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body,
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, { detail: "Network error" });
  }
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { detail: response.ok ? text : `HTTP ${response.status} ${response.statusText}` };
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data, response.statusText);
    if ((response.status === 401 || response.status === 403) && name !== "authLogin" && onUnauthorized) {
      onUnauthorized();
    }
    throw error;
  }
  return data as T;
}

/** List endpoints answer DRF pages; a few answer plain arrays. */
export function resultsOf<T>(data: T[] | { results: T[] }): T[] {
  return Array.isArray(data) ? data : (data.results ?? []);
}
