import type { AutomationConfig } from "../../api/models";
import { formatDateTime } from "../../lib/format";
import { ClockIcon, PauseIcon } from "../icons";
import { Badge } from "../ui";

export function ScheduleBadge({ config }: { config: AutomationConfig | undefined }) {
  if (!config) return <Badge>Schedule …</Badge>;
  if (!config.is_enabled)
    return (
      <Badge testId="schedule-badge">
        <PauseIcon /> Schedule off
      </Badge>
    );
  return (
    <Badge tone="blue" testId="schedule-badge">
      <ClockIcon /> {config.frequency} at {String(config.scheduled_time).slice(0, 5)} · next{" "}
      {formatDateTime(config.next_run_at)}
    </Badge>
  );
}
