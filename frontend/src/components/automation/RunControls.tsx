import type { ControlStates } from "../../lib/progress";
import { Button } from "../ui";

export type RunAction = "runNow" | "pause" | "resume" | "cancel";

export function RunControls({
  states,
  pending,
  onAction,
  onConfigure,
}: {
  states: ControlStates;
  pending: RunAction | null;
  onAction: (action: RunAction) => void;
  onConfigure: () => void;
}) {
  return (
    <div className="flex flex-wrap gap-2" data-testid="run-controls">
      <Button variant="primary" disabled={!states.runNow} loading={pending === "runNow"} onClick={() => onAction("runNow")}>
        <span aria-hidden="true">▶</span> Run Now
      </Button>
      <Button disabled={!states.pause} loading={pending === "pause"} onClick={() => onAction("pause")}>
        <span aria-hidden="true">⏸</span> Pause
      </Button>
      <Button variant="success" disabled={!states.resume} loading={pending === "resume"} onClick={() => onAction("resume")}>
        <span aria-hidden="true">⏵</span> Resume
      </Button>
      <Button variant="danger" disabled={!states.cancel} loading={pending === "cancel"} onClick={() => onAction("cancel")}>
        <span aria-hidden="true">■</span> Cancel
      </Button>
      <Button variant="ghost" onClick={onConfigure}>
        <span aria-hidden="true">⚙</span> Configure
      </Button>
    </div>
  );
}
