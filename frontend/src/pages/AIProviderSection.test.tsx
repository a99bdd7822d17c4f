// @vitest-environment jsdom
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AIProviderSection } from "./AIProviderSection";
import { jsonResponse, renderWithQueries } from "../test/render";

const role = (provider: string, extra = {}) => ({
  provider: "",
  base_url: "",
  model: "",
  api_key_set: false,
  uses: { provider, model: "gpt-4o-mini", source: "install" },
  ...extra,
});
const SETTINGS = { text: role("openai", { structured_output: "" }), image: role("none") };

type Sent = { method: string; url: string; body: unknown };

function serve(answers: Record<string, unknown>): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const method = init.method ?? "GET";
      sent.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined });
      const answer = answers[`${method} ${url}`] ?? SETTINGS;
      return jsonResponse(answer);
    }),
  );
  return sent;
}

function renderSection() {
  return renderWithQueries(<AIProviderSection />);
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("AIProviderSection", () => {
  it("saves the account's own endpoint and key, sending the key only when typed", async () => {
    const sent = serve({});
    renderSection();
    await screen.findByText(/Now: openai/);
    await userEvent.type(
      screen.getByLabelText("Base URL", { selector: "#f-text-base_url" }),
      "http://llm:11434/v1",
    );
    await userEvent.type(screen.getByLabelText("API key", { selector: "#f-text-api_key" }), "sk-own");
    await userEvent.click(screen.getByRole("button", { name: "Save AI provider" }));
    await screen.findByText("AI provider saved.");
    const put = sent.find((s) => s.method === "PUT");
    expect(put?.body).toEqual({
      text: {
        provider: "",
        base_url: "http://llm:11434/v1",
        model: "",
        api_key: "sk-own",
        structured_output: "",
      },
      image: { provider: "", base_url: "", model: "" },
    });
  });

  it("shows each role's test result", async () => {
    serve({
      "POST /api/v1/ai/provider/test/": {
        text: {
          ok: false,
          detail: "chat completion failed after 1 attempts: connection error",
          latency_ms: 0,
        },
        image: { ok: true, detail: "Images are off (provider 'none'): nothing to test.", latency_ms: 0 },
      },
    });
    renderSection();
    await screen.findByText(/Now: openai/);
    await userEvent.click(screen.getByRole("button", { name: "Test" }));
    await waitFor(() =>
      expect(screen.getByTestId("ai-text-test").textContent).toContain("Failed: chat completion"),
    );
    expect(screen.getByTestId("ai-image-test").textContent).toContain("OK: Images are off");
  });
});
