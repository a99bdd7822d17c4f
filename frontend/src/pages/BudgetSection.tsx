// Settings → "AI budget": the site's shares of the account's AI credits per operation.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useOnChange } from "../hooks/useOnChange";
import { billing } from "../api";
import type { AIBudget } from "../api/models";
import {
  Alert,
  Button,
  Card,
  Field,
  fieldProps,
  FieldError,
  inputClass,
  Loading,
  Toggle,
} from "../components/ui";
import {
  BUDGET_OPERATIONS,
  chartSegments,
  OPERATION_COLORS,
  OPERATION_LABELS,
  sumShares,
  validateShares,
  type ShareForm,
} from "../lib/budget";
import { describeError } from "../lib/errors";
import { useSaveState } from "../hooks/useSaveState";

function toShareForm(budget: Partial<AIBudget>): ShareForm {
  const form = {} as ShareForm;
  for (const op of BUDGET_OPERATIONS) form[op] = String(Number(budget[op] ?? 0));
  return form;
}

export function BudgetSection({ siteId }: { siteId: number }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["ai-budget", siteId], queryFn: () => billing.aiBudget(siteId) });
  const [useGlobal, setUseGlobal] = useState(true);
  const [form, setForm] = useState<ShareForm | null>(null);
  const state = useSaveState();
  useOnChange(query.data, (data) => {
    if (!data) return;
    setUseGlobal(data.use_global_defaults);
    setForm(toShareForm(data.use_global_defaults && data.effective ? data.effective : data));
  });

  const save = useMutation({
    mutationFn: (body: Partial<AIBudget>) => billing.updateAiBudget(siteId, body),
    onSuccess: (saved) => {
      client.setQueryData(["ai-budget", siteId], saved);
      client.invalidateQueries({ queryKey: ["automation", siteId, "estimate"] });
      state.setMessage({ tone: "success", text: "Budget allocation saved." });
    },
    onError: state.fail,
  });

  if (query.isLoading)
    return (
      <Card title="AI credit budget">
        <Loading />
      </Card>
    );
  if (query.isError)
    return (
      <Card title="AI credit budget">
        <Alert>{describeError(query.error)}</Alert>
      </Card>
    );
  if (!form) return null;

  const total = sumShares(form);
  const segments = chartSegments(form);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (useGlobal) {
      save.mutate({ use_global_defaults: true });
      return;
    }
    const errors = validateShares(form);
    state.setErrors(errors);
    if (Object.keys(errors).length) {
      state.setMessage({
        tone: "error",
        text: errors.non_field_errors?.[0] ?? "Some fields need a fix (see below).",
      });
      return;
    }
    const body: Partial<AIBudget> = { use_global_defaults: false };
    for (const op of BUDGET_OPERATIONS) body[op] = Number(form[op]);
    save.mutate(body);
  };

  return (
    <Card title="AI credit budget" testId="ai-budget">
      <form onSubmit={submit} noValidate className="space-y-4">
        <p className="text-xs text-slate-500">
          When a run has a credit budget (per-run limit “Credits per run”), each AI operation may spend at
          most its share; an exhausted share ends that stage early and the pipeline goes on.
        </p>
        {state.message && <Alert tone={state.message.tone}>{state.message.text}</Alert>}
        <Toggle
          name="use_global_defaults"
          label="Use the global default shares"
          checked={useGlobal}
          onChange={(v) => {
            setUseGlobal(v);
            state.setMessage(null);
            state.setErrors({});
          }}
        />
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-5">
          {BUDGET_OPERATIONS.map((op) => (
            <Field key={op} label={`${OPERATION_LABELS[op]} (%)`} name={op} errors={state.errors[op]}>
              <input
                {...fieldProps(op, state.errors[op])}
                inputMode="decimal"
                disabled={useGlobal}
                className={`${inputClass} disabled:bg-slate-50 disabled:text-slate-500`}
                value={form[op]}
                onChange={(e) => {
                  setForm({ ...form, [op]: e.target.value });
                  state.setMessage(null);
                }}
              />
            </Field>
          ))}
        </div>

        <div>
          <div
            className="flex h-6 w-full overflow-hidden rounded-md bg-slate-100 ring-1 ring-inset ring-slate-200"
            role="img"
            aria-label="Budget shares chart"
            data-testid="budget-chart"
          >
            {segments.map((s) =>
              s.width > 0 ? (
                <div
                  key={s.op}
                  title={`${OPERATION_LABELS[s.op]}: ${s.value}%`}
                  style={{ width: `${s.width}%`, backgroundColor: OPERATION_COLORS[s.op] }}
                  className="flex items-center justify-center text-[10px] font-semibold text-white"
                >
                  {s.width >= 8 ? `${s.value}%` : ""}
                </div>
              ) : null,
            )}
          </div>
          <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600">
            {segments.map((s) => (
              <span key={s.op} className="inline-flex items-center gap-1">
                <span
                  className="h-2.5 w-2.5 rounded-sm"
                  style={{ backgroundColor: OPERATION_COLORS[s.op] }}
                />
                {OPERATION_LABELS[s.op]} {s.value}%
              </span>
            ))}
          </div>
          <p
            className={`mt-2 text-sm font-semibold ${Math.abs(total - 100) < 0.001 ? "text-emerald-700" : "text-red-700"}`}
            data-testid="budget-sum"
          >
            Sum: {total}% {Math.abs(total - 100) < 0.001 ? "✓" : "— must be 100%"}
          </p>
          <FieldError messages={state.errors.non_field_errors} />
        </div>
        <Button variant="primary" type="submit" loading={save.isPending}>
          Save budget
        </Button>
      </form>
    </Card>
  );
}
