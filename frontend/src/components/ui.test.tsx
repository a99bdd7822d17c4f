// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, describeError } from "../lib/errors";
import { Field, fieldProps, FilterSelect, inputClass, Pager, QueryState, TableHead } from "./ui";

afterEach(cleanup);

function PagedList({ pages }: { pages: number }) {
  const [page, setPage] = useState(1);
  return <Pager page={page} pages={pages} onPage={setPage} />;
}

describe("Pager", () => {
  it("steps through the pages and stops at both ends", async () => {
    render(<PagedList pages={2} />);
    const previous = screen.getByRole("button", { name: "← Previous" });
    const next = screen.getByRole("button", { name: "Next →" });
    expect(screen.getByRole("navigation", { name: "Pagination" })).toBeTruthy();
    expect(screen.getByTestId("page-indicator").textContent).toBe("Page 1 of 2");
    expect((previous as HTMLButtonElement).disabled).toBe(true);

    await userEvent.click(next);
    expect(screen.getByTestId("page-indicator").textContent).toBe("Page 2 of 2");
    expect((next as HTMLButtonElement).disabled).toBe(true);
    expect((previous as HTMLButtonElement).disabled).toBe(false);

    await userEvent.click(previous);
    expect(screen.getByTestId("page-indicator").textContent).toBe("Page 1 of 2");
  });
});

describe("Field with fieldProps", () => {
  it("labels its control and points it at the server's error text", () => {
    const errors = ["Enter a valid domain."];
    render(
      <Field label="Domain" name="domain" errors={errors} hint="Bare domain">
        <input {...fieldProps("domain", errors)} className={inputClass} />
      </Field>,
    );
    const input = screen.getByLabelText("Domain");
    expect(input.getAttribute("name")).toBe("domain");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe("f-domain-error");
    expect(document.getElementById("f-domain-error")?.textContent).toBe("Enter a valid domain.");
    expect(screen.queryByText("Bare domain")).toBeNull();
  });

  it("shows the hint and no error wiring while the field is valid", () => {
    render(
      <Field label="Domain" name="domain" hint="Bare domain">
        <input {...fieldProps("domain")} className={inputClass} />
      </Field>,
    );
    const input = screen.getByLabelText("Domain");
    expect(input.getAttribute("aria-invalid")).toBe("false");
    expect(input.hasAttribute("aria-describedby")).toBe(false);
    expect(screen.getByText("Bare domain")).toBeTruthy();
  });
});

describe("QueryState", () => {
  it("shows a spinner while loading, the error once failed, else its content", () => {
    const { rerender } = render(
      <QueryState query={{ isLoading: true, error: null }}>
        <p>rows</p>
      </QueryState>,
    );
    expect(screen.getByRole("status", { name: "Loading" })).toBeTruthy();
    expect(screen.queryByText("rows")).toBeNull();

    const failure = new ApiError(500, { detail: "Server down." });
    rerender(
      <QueryState query={{ isLoading: false, error: failure }}>
        <p>rows</p>
      </QueryState>,
    );
    expect(screen.getByRole("alert").textContent).toBe(describeError(failure));

    rerender(
      <QueryState query={{ isLoading: false, error: null }}>
        <p>rows</p>
      </QueryState>,
    );
    expect(screen.getByText("rows")).toBeTruthy();
  });
});

describe("TableHead", () => {
  it("names every column, an empty name as the actions column", () => {
    render(
      <table>
        <TableHead columns={["Name", ""]} />
      </table>,
    );
    const headers = screen.getAllByRole("columnheader");
    expect(headers.map((h) => h.textContent)).toEqual(["Name", "Actions"]);
  });
});

function Filtered() {
  const [status, setStatus] = useState("");
  return (
    <>
      <FilterSelect
        label="Filter by status"
        all="Any status"
        options={[
          ["failed", "failed"],
          ["paused_by_user", "paused by user"],
        ]}
        className=""
        value={status}
        onChange={setStatus}
      />
      <p data-testid="chosen">{status || "(all)"}</p>
    </>
  );
}

describe("FilterSelect", () => {
  it("offers all (the empty value) and each option by its text", async () => {
    render(<Filtered />);
    const select = screen.getByRole("combobox", { name: "Filter by status" });
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Any status",
      "failed",
      "paused by user",
    ]);
    await userEvent.selectOptions(select, "paused by user");
    expect(screen.getByTestId("chosen").textContent).toBe("paused_by_user");
    await userEvent.selectOptions(select, "Any status");
    expect(screen.getByTestId("chosen").textContent).toBe("(all)");
  });
});
