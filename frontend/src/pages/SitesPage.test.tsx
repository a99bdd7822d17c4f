// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SiteProvider } from "../hooks/useSite";
import { aSite } from "../test/fixtures";
import { jsonResponse, renderWithQueries, stubApi } from "../test/render";
import { SitesPage } from "./SitesPage";

const site = aSite({ duplicate_threshold: 60 });
const LIST = { count: 1, next: null, previous: null, results: [site] };
const THRESHOLD = "Skip ideas this similar to existing content (0–100, 0 = off)";

function renderPage() {
  return renderWithQueries(
    <MemoryRouter>
      <SiteProvider>
        <SitesPage />
      </SiteProvider>
    </MemoryRouter>,
  );
}

async function openEdit() {
  await userEvent.click(await screen.findByRole("button", { name: `Edit ${site.name}` }));
  return screen.getByTestId("site-modal");
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("SitesPage site form", () => {
  it("shows the site's duplicate threshold and saves the changed one", async () => {
    const sent = stubApi({
      "GET /api/v1/sites/": LIST,
      "PATCH /api/v1/sites/1/": (r) => ({ ...site, ...(r.body as object) }),
    });
    renderPage();
    const modal = await openEdit();
    const field = within(modal).getByLabelText(THRESHOLD);
    expect(field).toHaveProperty("value", "60");
    await userEvent.clear(field);
    await userEvent.type(field, "90");
    await userEvent.click(within(modal).getByRole("button", { name: "Save site" }));
    await screen.findByText(`Site "${site.name}" saved.`);
    const patch = sent.find((s) => s.method === "PATCH");
    expect(patch?.body).toMatchObject({ duplicate_threshold: 90 });
  });

  it("flags an out-of-range threshold before sending and shows the server's error under the field", async () => {
    const sent = stubApi({
      "GET /api/v1/sites/": LIST,
      "PATCH /api/v1/sites/1/": () =>
        jsonResponse({ duplicate_threshold: ["Ensure this value is less than or equal to 100."] }, 400),
    });
    renderPage();
    const modal = await openEdit();
    const field = within(modal).getByLabelText(THRESHOLD);
    await userEvent.clear(field);
    await userEvent.type(field, "101");
    await userEvent.click(within(modal).getByRole("button", { name: "Save site" }));
    expect(within(modal).getByText("A whole number from 0 (off) to 100.")).toBeTruthy();
    expect(sent.some((s) => s.method === "PATCH")).toBe(false);

    await userEvent.clear(field);
    await userEvent.type(field, "0");
    await userEvent.click(within(modal).getByRole("button", { name: "Save site" }));
    await waitFor(() => expect(field.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById("f-duplicate_threshold-error")?.textContent).toBe(
      "Ensure this value is less than or equal to 100.",
    );
  });
});
