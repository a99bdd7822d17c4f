// @vitest-environment jsdom
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { publishingSettings } from "../test/fixtures";
import { jsonResponse, renderWithQueries, stubApi } from "../test/render";
import { PublishingSection } from "./SettingsPage";

const MIN_SCORE = "Auto-approve only drafts scoring at least (0–100, 0 = off)";
const settings = publishingSettings({ auto_approval_enabled: true, min_quality_score: 70 });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("PublishingSection minimum quality score", () => {
  it("shows the current minimum and saves the changed one", async () => {
    const sent = stubApi({
      "GET /api/v1/publishing/settings/": settings,
      "PUT /api/v1/publishing/settings/": (r) => r.body,
    });
    renderWithQueries(<PublishingSection siteId={1} />);
    const field = await screen.findByLabelText(MIN_SCORE);
    expect(field).toHaveProperty("value", "70");
    await userEvent.clear(field);
    await userEvent.type(field, "80");
    await userEvent.click(screen.getByRole("button", { name: "Save publishing settings" }));
    await screen.findByText("Publishing settings saved.");
    expect(sent.find((s) => s.method === "PUT")?.body).toMatchObject({ min_quality_score: 80 });
  });

  it("flags a score over 100 before sending and shows the server's error under the field", async () => {
    const sent = stubApi({
      "GET /api/v1/publishing/settings/": settings,
      "PUT /api/v1/publishing/settings/": () =>
        jsonResponse({ min_quality_score: ["Must be a whole number from 0 (off) to 100."] }, 400),
    });
    renderWithQueries(<PublishingSection siteId={1} />);
    const field = await screen.findByLabelText(MIN_SCORE);
    await userEvent.clear(field);
    await userEvent.type(field, "150");
    await userEvent.click(screen.getByRole("button", { name: "Save publishing settings" }));
    expect(screen.getByText("A whole number from 0 (off) to 100.")).toBeTruthy();
    expect(sent.some((s) => s.method === "PUT")).toBe(false);

    await userEvent.clear(field);
    await userEvent.type(field, "50");
    await userEvent.click(screen.getByRole("button", { name: "Save publishing settings" }));
    await waitFor(() =>
      expect(document.getElementById("f-min_quality_score-error")?.textContent).toBe(
        "Must be a whole number from 0 (off) to 100.",
      ),
    );
    expect(field.getAttribute("aria-invalid")).toBe("true");
  });
});
