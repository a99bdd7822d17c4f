// @vitest-environment jsdom
import { cleanup, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { anAutomationConfig, aStageDescription } from "../../test/fixtures";
import { jsonResponse, renderWithQueries, stubApi } from "../../test/render";
import { ConfigModal } from "./ConfigModal";

const METHOD = "How stage 1 groups keywords into clusters";
const config = anAutomationConfig({ clustering_method: "ai" });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("ConfigModal clustering method", () => {
  it("shows the current method and saves the chosen one", async () => {
    const sent = stubApi({
      "GET /api/v1/automation/stages/": [aStageDescription()],
      "PUT /api/v1/automation/update_config/": (r) => ({ ...config, ...(r.body as object) }),
    });
    const onClose = vi.fn();
    renderWithQueries(<ConfigModal siteId={1} config={config} onClose={onClose} />);
    const select = screen.getByLabelText(METHOD);
    expect(select).toHaveProperty("value", "ai");
    expect(screen.getByRole("option", { name: /^Local: .*0 credits/ })).toBeTruthy();
    await userEvent.selectOptions(select, "local");
    await userEvent.click(screen.getByRole("button", { name: "Save configuration" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    const save = sent.find((s) => s.method !== "GET");
    expect(save?.body).toMatchObject({ clustering_method: "local" });
  });

  it("shows the server's error under the select", async () => {
    stubApi({
      "GET /api/v1/automation/stages/": [aStageDescription()],
      "PUT /api/v1/automation/update_config/": () =>
        jsonResponse({ clustering_method: ['"kmeans" is not a valid choice.'] }, 400),
    });
    renderWithQueries(<ConfigModal siteId={1} config={config} onClose={() => {}} />);
    await userEvent.click(screen.getByRole("button", { name: "Save configuration" }));
    await screen.findByText('"kmeans" is not a valid choice.');
    expect(screen.getByLabelText(METHOD).getAttribute("aria-invalid")).toBe("true");
  });
});
