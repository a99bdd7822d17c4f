import type { ControlStates } from "../../lib/run";
import { GearIcon, PauseIcon, PlayIcon, StopIcon } from "../icons";
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
      <Button
        variant="primary"
        disabled={!states.runNow}
        loading={pending === "runNow"}
        onClick={() => onAction("runNow")}
      >
        <PlayIcon /> Run Now
      </Button>
      <Button disabled={!states.pause} loading={pending === "pause"} onClick={() => onAction("pause")}>
        <PauseIcon /> Pause
      </Button>
      <Button
        variant="success"
        disabled={!states.resume}
        loading={pending === "resume"}
        onClick={() => onAction("resume")}
      >
        <PlayIcon /> Resume
      </Button>
      <Button
        variant="danger"
        disabled={!states.cancel}
        loading={pending === "cancel"}
        onClick={() => onAction("cancel")}
      >
        <StopIcon /> Cancel
      </Button>
      <Button variant="ghost" onClick={onConfigure}>
        <GearIcon /> Configure
      </Button>
    </div>
  );
}
