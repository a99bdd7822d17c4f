// Automation configuration: schedule, batch sizes, clustering method, delays, stage toggles,
// per-run limits.
// Client-side validation first; the server's field errors land beside the same fields.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { automation } from "../../api";
import type { AutomationConfig } from "../../api/models";
import {
  BATCH_FIELDS,
  CLUSTERING_METHODS,
  formToPayload,
  LIMIT_FIELDS,
  STAGE_TOGGLES,
  toForm,
  validateConfig,
  type ConfigForm,
} from "../../lib/config";
import { useFieldForm } from "../../hooks/useFieldForm";
import { useStages } from "../../hooks/useStages";
import { Alert, Button, Field, fieldProps, inputClass, Modal, Toggle } from "../ui";

export function ConfigModal({
  siteId,
  config,
  onClose,
  onSaved,
}: {
  siteId: number;
  config: AutomationConfig;
  onClose: () => void;
  /** Called after a successful save (the modal closes itself). */
  onSaved?: (saved: AutomationConfig) => void;
}) {
  const client = useQueryClient();
  const {
    form,
    errors,
    setErrors,
    summary,
    setSummary,
    setField: set,
    fail,
  } = useFieldForm<ConfigForm>(() => toForm(config));
  const stages = useStages().data;
  const stageName = (n: number) => stages?.find((s) => s.number === n)?.name ?? `Stage ${n}`;

  const save = useMutation({
    mutationFn: (payload: Partial<AutomationConfig>) => automation.updateConfig(siteId, payload),
    onSuccess: (saved) => {
      client.setQueryData(["automation", siteId, "config"], saved);
      client.invalidateQueries({ queryKey: ["automation", siteId] });
      onSaved?.(saved);
      onClose();
    },
    onError: (error) => fail(error),
  });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const found = validateConfig(form);
    setErrors(found);
    if (Object.keys(found).length) {
      setSummary("Some fields need a fix (see below).");
      return;
    }
    setSummary(null);
    save.mutate(formToPayload(form));
  };

  const numberInput = (key: string, min = 0) => (
    <input
      {...fieldProps(key, errors[key])}
      inputMode="numeric"
      className={inputClass}
      value={String(form[key] ?? "")}
      min={min}
      onChange={(e) => set(key, e.target.value)}
    />
  );

  return (
    <Modal
      title="Automation configuration"
      onClose={onClose}
      wide
      testId="config-modal"
      footer={
        <>
          <Button onClick={onClose}>Close</Button>
          <Button variant="primary" type="submit" form="config-form" loading={save.isPending}>
            Save configuration
          </Button>
        </>
      }
    >
      <form id="config-form" onSubmit={submit} noValidate className="space-y-5">
        {summary && <Alert testId="config-error">{summary}</Alert>}
        {errors.non_field_errors && <Alert>{errors.non_field_errors.join(" ")}</Alert>}

        <fieldset className="space-y-3">
          <legend className="text-sm font-semibold text-slate-800">Schedule</legend>
          <Toggle
            name="is_enabled"
            label="Run on a schedule"
            checked={!!form.is_enabled}
            onChange={(v) => set("is_enabled", v)}
          />
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <Field
              label="Frequency"
              name="frequency"
              errors={errors.frequency}
              hint="Weekly runs on Mondays, monthly on the 1st."
            >
              <select
                {...fieldProps("frequency", errors.frequency)}
                className={inputClass}
                value={String(form.frequency)}
                onChange={(e) => set("frequency", e.target.value)}
              >
                <option value="daily">Daily</option>
                <option value="weekly">Weekly</option>
                <option value="monthly">Monthly</option>
              </select>
            </Field>
            <Field label="Time (site time zone, HH:MM)" name="scheduled_time" errors={errors.scheduled_time}>
              <input
                {...fieldProps("scheduled_time", errors.scheduled_time)}
                className={inputClass}
                placeholder="02:00"
                value={String(form.scheduled_time ?? "")}
                onChange={(e) => set("scheduled_time", e.target.value)}
              />
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend className="mb-2 text-sm font-semibold text-slate-800">Batch sizes (items per batch)</legend>
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
            {BATCH_FIELDS.map((key, i) => (
              <Field key={key} label={`${i + 1}. ${stageName(i + 1)}`} name={key} errors={errors[key]}>
                {numberInput(key, 1)}
              </Field>
            ))}
          </div>
        </fieldset>

        <fieldset>
          <legend className="mb-2 text-sm font-semibold text-slate-800">Clustering</legend>
          <Field
            label="How stage 1 groups keywords into clusters"
            name="clustering_method"
            errors={errors.clustering_method}
            hint="Local clustering makes no AI calls and costs 0 credits."
          >
            <select
              {...fieldProps("clustering_method", errors.clustering_method)}
              className={inputClass}
              value={String(form.clustering_method ?? "")}
              onChange={(e) => set("clustering_method", e.target.value)}
            >
              {CLUSTERING_METHODS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
        </fieldset>

        <fieldset>
          <legend className="mb-2 text-sm font-semibold text-slate-800">Delays (seconds)</legend>
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <Field label="Between batches" name="within_stage_delay" errors={errors.within_stage_delay}>
              {numberInput("within_stage_delay")}
            </Field>
            <Field label="Between stages" name="between_stage_delay" errors={errors.between_stage_delay}>
              {numberInput("between_stage_delay")}
            </Field>
          </div>
        </fieldset>

        <fieldset>
          <legend className="mb-2 text-sm font-semibold text-slate-800">Speed</legend>
          <Field
            label="Provider requests at once within a stage (1-16; 1 = one at a time)"
            name="max_concurrency"
            errors={errors.max_concurrency}
          >
            {numberInput("max_concurrency", 1)}
          </Field>
        </fieldset>

        <fieldset>
          <legend className="mb-2 text-sm font-semibold text-slate-800">Stages</legend>
          <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
            {STAGE_TOGGLES.map((key, i) => (
              <Toggle
                key={key}
                name={key}
                label={`${i + 1}. ${stageName(i + 1)}`}
                checked={form[key] !== false}
                onChange={(v) => set(key, v)}
              />
            ))}
          </div>
          <p className="mt-1 text-xs text-slate-500">
            A disabled stage is skipped (and logged); its items wait for a later run.
          </p>
        </fieldset>

        <fieldset>
          <legend className="mb-2 text-sm font-semibold text-slate-800">
            Per-run limits (0 = unlimited)
          </legend>
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            {LIMIT_FIELDS.map(([key, label]) => (
              <Field key={key} label={label} name={key} errors={errors[key]}>
                {numberInput(key)}
              </Field>
            ))}
          </div>
          <p className="mt-1 text-xs text-slate-500">Items left over are picked up by the next run.</p>
        </fieldset>
      </form>
    </Modal>
  );
}
