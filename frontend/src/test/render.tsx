// What component tests that read the API share: a fresh query client without retries (a
// failing request shows at once), answers shaped as the API sends them and a stubbed fetch.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { vi } from "vitest";

export function renderWithQueries(ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export interface SentRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  query: URLSearchParams;
  /** The parsed JSON body; a FormData body as it was sent. */
  body: unknown;
}

type Answer = Response | object | ((request: SentRequest) => unknown);

/**
 * Stubs fetch with answers keyed "METHOD /path/" (the query string ignored): a value is sent
 * as a 200 JSON answer, a Response as it is, a function is called with the request. Anything
 * else answers 404. Returns the requests sent, in order (restore with vi.unstubAllGlobals).
 */
export function stubApi(answers: Record<string, Answer>): SentRequest[] {
  const sent: SentRequest[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      const parsed = new URL(url, "http://dashboard.test");
      const body = typeof init.body === "string" ? JSON.parse(init.body) : init.body;
      const request = { method, path: parsed.pathname, query: parsed.searchParams, body };
      sent.push(request);
      const key = `${method} ${parsed.pathname}`;
      if (!(key in answers)) return jsonResponse({ detail: "Not found." }, 404);
      const answer = answers[key];
      const value = typeof answer === "function" ? answer(request) : answer;
      return value instanceof Response ? value : jsonResponse(value);
    }),
  );
  return sent;
}
