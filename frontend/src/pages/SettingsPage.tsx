import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useOnChange } from "../hooks/useOnChange";
import { publishing } from "../api";
import type { PublishingSettings } from "../api/models";
import {
  Alert,
  Button,
  Card,
  EmptyState,
  Field,
  fieldProps,
  FieldError,
  inputBase,
  inputClass,
  Loading,
  PageHeader,
  StatusBadge,
  Toggle,
  QueryState,
} from "../components/ui";
import { NotificationsSection } from "../components/NotificationsSection";
import { useSite } from "../hooks/useSite";
import { describeError } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { normaliseTime, validatePublishing, WEEK_DAYS, withTypedSlot } from "../lib/publishing";
import { AIProviderSection } from "./AIProviderSection";
import { BudgetSection } from "./BudgetSection";
import { useSaveState } from "../hooks/useSaveState";

export function SettingsPage() {
  const { siteId, site } = useSite();
  if (!siteId) return <EmptyState title="No site yet">Create a site first.</EmptyState>;
  return (
    <div className="space-y-4">
      <PageHeader title="Settings">
        Publishing and AI budget of <strong>{site?.name}</strong>.
      </PageHeader>
      <PublishingSection siteId={siteId} />
      <QueueSection siteId={siteId} />
      <WordPressSection siteId={siteId} />
      <NotificationsSection siteId={siteId} />
      <BudgetSection siteId={siteId} />
      <AIProviderSection />
    </div>
  );
}

// --- publishing -------------------------------------------------------------------------

export function PublishingSection({ siteId }: { siteId: number }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["publishing", siteId], queryFn: () => publishing.settings(siteId) });
  const [form, setForm] = useState<PublishingSettings | null>(null);
  const [newSlot, setNewSlot] = useState("");
  const state = useSaveState();
  useOnChange(query.data, (data) => {
    if (data) setForm(data);
  });

  const save = useMutation({
    mutationFn: (body: PublishingSettings) => publishing.updateSettings(siteId, body),
    onSuccess: (saved) => {
      client.setQueryData(["publishing", siteId], saved);
      client.invalidateQueries({ queryKey: ["publishing-queue", siteId] });
      state.setMessage({ tone: "success", text: "Publishing settings saved." });
    },
    onError: state.fail,
  });

  if (query.isLoading)
    return (
      <Card title="Publishing">
        <Loading />
      </Card>
    );
  if (query.isError)
    return (
      <Card title="Publishing">
        <Alert>{describeError(query.error)}</Alert>
      </Card>
    );
  if (!form) return null;

  const set = <K extends keyof PublishingSettings>(key: K, value: PublishingSettings[K]) => {
    setForm({ ...form, [key]: value });
    state.setMessage(null);
  };
  // The number fields keep what is typed (a string) until submit converts it.
  type NumberKey =
    | "min_quality_score"
    | "stagger_interval_minutes"
    | "queue_limit"
    | "daily_target"
    | "weekly_target"
    | "monthly_target";
  const numberInput = (key: NumberKey) => (
    <input
      {...fieldProps(key, state.errors[key])}
      inputMode="numeric"
      className={inputClass}
      value={String(form[key])}
      onChange={(e) => set(key, e.target.value as unknown as number)}
    />
  );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const typed =
      form.scheduling_mode === "time_slots"
        ? withTypedSlot(form.publish_time_slots, newSlot)
        : { slots: form.publish_time_slots };
    const body = {
      ...form,
      publish_time_slots: typed.slots,
      stagger_start_time: normaliseTime(form.stagger_start_time ?? ""),
      stagger_end_time: normaliseTime(form.stagger_end_time ?? ""),
      stagger_interval_minutes: Number(form.stagger_interval_minutes),
      queue_limit: Number(form.queue_limit),
      daily_target: Number(form.daily_target),
      weekly_target: Number(form.weekly_target),
      monthly_target: Number(form.monthly_target),
      min_quality_score: Number(form.min_quality_score),
    };
    const errors = validatePublishing(body);
    if (typed.error) errors.publish_time_slots = [typed.error];
    state.setErrors(errors);
    if (Object.keys(errors).length) {
      state.setMessage({ tone: "error", text: "Some fields need a fix (see below)." });
      return;
    }
    setForm(body);
    setNewSlot("");
    save.mutate(body);
  };
  const addSlot = () => {
    const typed = withTypedSlot(form.publish_time_slots, newSlot);
    if (typed.error) {
      state.setErrors({ ...state.errors, publish_time_slots: [typed.error] });
      return;
    }
    set("publish_time_slots", typed.slots);
    state.setErrors({ ...state.errors, publish_time_slots: [] });
    setNewSlot("");
  };

  return (
    <Card title="Publishing" testId="publishing-settings">
      <form onSubmit={submit} noValidate className="space-y-4">
        {state.message && <Alert tone={state.message.tone}>{state.message.text}</Alert>}
        <div className="space-y-2">
          <Toggle
            name="auto_approval_enabled"
            label="Auto-approve content in review (stage 7)"
            checked={form.auto_approval_enabled}
            onChange={(v) => set("auto_approval_enabled", v)}
          />
          <Toggle
            name="auto_publish_enabled"
            label="Schedule approved content for publishing to WordPress"
            checked={form.auto_publish_enabled}
            onChange={(v) => set("auto_publish_enabled", v)}
          />
        </div>
        <div className="sm:max-w-md">
          <Field
            label="Auto-approve only drafts scoring at least (0–100, 0 = off)"
            name="min_quality_score"
            errors={state.errors.min_quality_score}
            hint="Drafts with a lower quality score stay in review for a person to approve."
          >
            {numberInput("min_quality_score")}
          </Field>
        </div>

        <fieldset>
          <legend className="mb-1 text-xs font-medium text-slate-700">Scheduling mode</legend>
          <div className="flex flex-wrap gap-4 text-sm">
            {(
              [
                ["time_slots", "Time slots"],
                ["stagger", "Stagger within a window"],
                ["immediate", "Immediately"],
              ] as const
            ).map(([value, label]) => (
              <label key={value} className="flex items-center gap-1.5">
                <input
                  type="radio"
                  name="scheduling_mode"
                  value={value}
                  checked={form.scheduling_mode === value}
                  onChange={() => set("scheduling_mode", value)}
                />
                {label}
              </label>
            ))}
          </div>
          <FieldError messages={state.errors.scheduling_mode} />
        </fieldset>

        <fieldset>
          <legend className="mb-1 text-xs font-medium text-slate-700">Publishing days</legend>
          <div className="flex flex-wrap gap-2">
            {WEEK_DAYS.map((day) => {
              const on = form.publish_days.includes(day);
              return (
                <button
                  key={day}
                  type="button"
                  aria-pressed={on}
                  onClick={() =>
                    set(
                      "publish_days",
                      on ? form.publish_days.filter((d) => d !== day) : [...form.publish_days, day],
                    )
                  }
                  className={`rounded-md px-2.5 py-1 text-xs font-semibold capitalize ring-1 ring-inset ${on ? "bg-indigo-600 text-white ring-indigo-600" : "bg-white text-slate-700 ring-slate-300"}`}
                >
                  {day}
                </button>
              );
            })}
          </div>
          <FieldError messages={state.errors.publish_days} />
        </fieldset>

        {form.scheduling_mode === "time_slots" && (
          <fieldset>
            <legend className="mb-1 text-xs font-medium text-slate-700">Time slots (site time zone)</legend>
            <div className="flex flex-wrap items-center gap-2">
              {form.publish_time_slots.map((slot) => (
                <span
                  key={slot}
                  className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs"
                >
                  {slot}
                  <button
                    type="button"
                    aria-label={`Remove ${slot}`}
                    onClick={() =>
                      set(
                        "publish_time_slots",
                        form.publish_time_slots.filter((s) => s !== slot),
                      )
                    }
                    className="text-slate-500 hover:text-red-600"
                  >
                    ×
                  </button>
                </span>
              ))}
              <input
                className={`${inputBase} w-24`}
                placeholder="HH:MM"
                aria-label="New time slot"
                value={newSlot}
                onChange={(e) => setNewSlot(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter") {
                    e.preventDefault();
                    addSlot();
                  }
                }}
              />
              <Button onClick={addSlot}>Add slot</Button>
            </div>
            <FieldError messages={state.errors.publish_time_slots} />
          </fieldset>
        )}

        {form.scheduling_mode === "stagger" && (
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
            <Field label="Window start" name="stagger_start_time" errors={state.errors.stagger_start_time}>
              <input
                {...fieldProps("stagger_start_time", state.errors.stagger_start_time)}
                className={inputClass}
                value={(form.stagger_start_time ?? "").slice(0, 5)}
                onChange={(e) => set("stagger_start_time", e.target.value)}
              />
            </Field>
            <Field label="Window end" name="stagger_end_time" errors={state.errors.stagger_end_time}>
              <input
                {...fieldProps("stagger_end_time", state.errors.stagger_end_time)}
                className={inputClass}
                value={(form.stagger_end_time ?? "").slice(0, 5)}
                onChange={(e) => set("stagger_end_time", e.target.value)}
              />
            </Field>
            <Field
              label="Interval (minutes)"
              name="stagger_interval_minutes"
              errors={state.errors.stagger_interval_minutes}
            >
              {numberInput("stagger_interval_minutes")}
            </Field>
          </div>
        )}

        <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {(
            [
              ["queue_limit", "Queue size (max scheduled)"],
              ["daily_target", "Daily target"],
              ["weekly_target", "Weekly target"],
              ["monthly_target", "Monthly target"],
            ] as const
          ).map(([key, label]) => (
            <Field key={key} label={label} name={key} errors={state.errors[key]}>
              {numberInput(key)}
            </Field>
          ))}
        </div>
        <p className="text-xs text-slate-500">
          Targets are informational; the queue size caps how many items are scheduled at once.
        </p>
        <Button variant="primary" type="submit" loading={save.isPending}>
          Save publishing settings
        </Button>
      </form>
    </Card>
  );
}

function QueueSection({ siteId }: { siteId: number }) {
  const query = useQuery({
    queryKey: ["publishing-queue", siteId],
    queryFn: () => publishing.queue(siteId),
    refetchInterval: 60_000,
  });
  const items = query.data?.results ?? [];
  const capacity =
    query.data?.scheduled_count !== undefined && query.data.queue_limit !== undefined
      ? `${query.data.scheduled_count} of ${query.data.queue_limit} slots used`
      : null;
  return (
    <Card
      title="Publishing queue"
      actions={
        capacity && (
          <span className="text-xs text-slate-500" data-testid="queue-capacity">
            {capacity}
          </span>
        )
      }
      testId="publishing-queue"
    >
      <QueryState query={query}>
        {!items.length ? (
          <EmptyState title="The queue is empty">
            Approved content that is scheduled for publishing shows here.
          </EmptyState>
        ) : (
          <div className="-mx-4 overflow-x-auto">
            <table className="min-w-full text-left text-xs">
              <thead className="border-b border-slate-200 text-slate-500">
                <tr>
                  {["Title", "Status", "Scheduled for", "Result"].map((h) => (
                    <th key={h} className="px-4 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <tr key={item.id} className="border-b border-slate-100">
                    <td className="px-4 py-2 font-medium text-slate-900">{item.title}</td>
                    <td className="px-4 py-2">
                      <StatusBadge status={item.site_status} />
                    </td>
                    <td className="whitespace-nowrap px-4 py-2">
                      {formatDateTime(item.scheduled_publish_at)}
                    </td>
                    <td className="px-4 py-2">
                      {item.external_url ? (
                        <a
                          href={item.external_url}
                          target="_blank"
                          rel="noreferrer"
                          className="text-indigo-700 hover:underline"
                        >
                          View post
                        </a>
                      ) : (
                        <span className="text-red-700">{item.publish_error}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </Card>
  );
}

function WordPressSection({ siteId }: { siteId: number }) {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["wordpress", siteId], queryFn: () => publishing.wordpress(siteId) });
  const [url, setUrl] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const state = useSaveState();
  useOnChange(query.data, (data) => {
    if (!data) return;
    setUrl(data.url);
    setUsername(data.username);
  });
  const save = useMutation({
    mutationFn: () =>
      publishing.saveWordpress(siteId, {
        url: url.trim(),
        username: username.trim(),
        app_password: password || undefined,
        is_active: true,
      }),
    onSuccess: (saved) => {
      client.setQueryData(["wordpress", siteId], saved);
      setPassword("");
      state.setErrors({});
      state.setMessage({ tone: "success", text: "WordPress connection saved." });
    },
    onError: state.fail,
  });
  const test = useMutation({
    mutationFn: () => publishing.testWordpress(siteId),
    onSuccess: (r) => {
      state.setMessage({
        tone: r.ok ? "success" : "error",
        text: r.ok ? `Connected${r.wordpress_user ? ` as ${r.wordpress_user}` : ""}.` : r.detail,
      });
      client.invalidateQueries({ queryKey: ["wordpress", siteId] });
    },
    onError: state.fail,
  });
  if (query.isLoading)
    return (
      <Card title="WordPress connection">
        <Loading />
      </Card>
    );
  if (query.isError)
    return (
      <Card title="WordPress connection">
        <Alert>{describeError(query.error)}</Alert>
      </Card>
    );
  const conn = query.data;
  return (
    <Card
      title="WordPress connection"
      testId="wordpress"
      actions={
        conn?.configured &&
        conn.last_test_ok !== null && <StatusBadge status={conn.last_test_ok ? "completed" : "failed"} />
      }
    >
      <form
        noValidate
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          state.setMessage(null);
          save.mutate();
        }}
      >
        {state.message && <Alert tone={state.message.tone}>{state.message.text}</Alert>}
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
          <Field label="Site URL" name="url" errors={state.errors.url}>
            <input
              {...fieldProps("url", state.errors.url)}
              className={inputClass}
              placeholder="https://blog.example.com"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </Field>
          <Field label="Username" name="wp_username" errors={state.errors.username}>
            <input
              {...fieldProps("wp_username", state.errors.username)}
              className={inputClass}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
          </Field>
          <Field
            label="Application password"
            name="app_password"
            errors={state.errors.app_password}
            hint={
              conn?.has_password
                ? "Saved (encrypted). Leave empty to keep it."
                : "Users → Profile → Application Passwords in WordPress."
            }
          >
            <input
              {...fieldProps("app_password", state.errors.app_password)}
              type="password"
              autoComplete="new-password"
              className={inputClass}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" type="submit" loading={save.isPending}>
            Save connection
          </Button>
          <Button onClick={() => test.mutate()} loading={test.isPending} disabled={!conn?.configured}>
            Test connection
          </Button>
        </div>
      </form>
    </Card>
  );
}
