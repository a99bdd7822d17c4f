// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { controlStates } from "../../lib/run";
import { RunControls } from "./RunControls";

afterEach(cleanup);

// A pending button also carries its spinner's "Loading" label.
const button = (name: string) =>
  screen.getByRole("button", { name: new RegExp(`${name}$`) }) as HTMLButtonElement;

describe("RunControls", () => {
  it("enables only what the run's status allows and reports the pressed action", () => {
    const onAction = vi.fn();
    render(
      <RunControls
        states={controlStates({ status: "running" })}
        pending={null}
        onAction={onAction}
        onConfigure={() => {}}
      />,
    );
    expect(button("Run Now").disabled).toBe(true);
    expect(button("Resume").disabled).toBe(true);
    expect(button("Pause").disabled).toBe(false);
    fireEvent.click(button("Pause"));
    fireEvent.click(button("Cancel"));
    expect(onAction.mock.calls).toEqual([["pause"], ["cancel"]]);
  });

  it("offers Run Now without a run and nothing while a request is in flight", () => {
    const { rerender } = render(
      <RunControls states={controlStates(null)} pending={null} onAction={() => {}} onConfigure={() => {}} />,
    );
    expect(button("Run Now").disabled).toBe(false);
    expect(button("Pause").disabled).toBe(true);
    rerender(
      <RunControls
        states={controlStates({ status: "paused" }, true)}
        pending="resume"
        onAction={() => {}}
        onConfigure={() => {}}
      />,
    );
    for (const name of ["Run Now", "Pause", "Resume", "Cancel"]) expect(button(name).disabled).toBe(true);
    expect(button("Resume").textContent).toContain("Resume");
    expect(screen.getByRole("button", { name: "Loading Resume" })).toBe(button("Resume"));
  });

  it("opens the configuration whatever the run does", () => {
    const onConfigure = vi.fn();
    render(
      <RunControls
        states={controlStates({ status: "running" }, true)}
        pending="pause"
        onAction={() => {}}
        onConfigure={onConfigure}
      />,
    );
    fireEvent.click(button("Configure"));
    expect(onConfigure).toHaveBeenCalledOnce();
  });
});
