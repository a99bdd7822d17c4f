// A site's notifications: where to send them (apprise URLs: email, Slack, Discord, Telegram,
// Matrix, webhooks…), which events, and a Test button that sends a message now.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { notifications } from "../api";
import type { NotificationSettings, NotificationTestResult } from "../api/models";
import { ApiError, describeError } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { Alert, Button, Card, Field, fieldProps, inputClass, Loading, Toggle } from "./ui";

/** The 400 answer keys a bad URL by its index ({"0": ["…"]}): say which line is wrong. */
function urlErrors(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.status !== 400) return [];
  return Object.entries(error.fieldErrors).map(([key, msgs]) =>
    /^\d+$/.test(key) ? `Line ${Number(key) + 1}: ${msgs.join(" ")}` : msgs.join(" "),
  );
}

export function NotificationsSection({ siteId }: { siteId: number }) {
  const query = useQuery({ queryKey: ["notifications", siteId], queryFn: () => notifications.get(siteId) });
  if (query.isLoading)
    return (
      <Card title="Notifications">
        <Loading />
      </Card>
    );
  if (query.isError || !query.data)
    return (
      <Card title="Notifications">
        <Alert>{describeError(query.error)}</Alert>
      </Card>
    );
  return <NotificationsForm key={siteId} siteId={siteId} settings={query.data} />;
}

function NotificationsForm({ siteId, settings }: { siteId: number; settings: NotificationSettings }) {
  const client = useQueryClient();
  // Stored URLs come back masked: the box starts empty and only a typed list replaces them.
  const [urls, setUrls] = useState("");
  const [events, setEvents] = useState<NotificationSettings["events"]>(settings.events);
  const [message, setMessage] = useState<{ tone: "success" | "error" | "warning"; text: string } | null>(
    null,
  );
  const [errors, setErrors] = useState<string[]>([]);
  const typed = urls
    .split("\n")
    .map((u) => u.trim())
    .filter(Boolean);
  const save = useMutation({
    mutationFn: () => notifications.update(siteId, { ...(typed.length ? { urls: typed } : {}), events }),
    onSuccess: (saved) => {
      client.setQueryData(["notifications", siteId], saved);
      setUrls("");
      setErrors([]);
      setMessage({ tone: "success", text: "Notification settings saved." });
    },
    onError: (error) => {
      setErrors(urlErrors(error));
      setMessage({ tone: "error", text: describeError(error) });
    },
  });
  const test = useMutation({
    mutationFn: () => notifications.test(siteId, typed.length ? typed : undefined),
    onSuccess: (result: NotificationTestResult) => {
      const failures = result.results.filter((r) => !r.ok);
      setErrors([]);
      setMessage(
        failures.length
          ? {
              tone: result.sent ? "warning" : "error",
              text: `Sent to ${result.sent}, failed for ${result.failed}: ${failures
                .map((f) => `${f.url} (${f.error || "no reason given"})`)
                .join("; ")}`,
            }
          : {
              tone: "success",
              text: `Test message sent to ${result.sent} target${result.sent === 1 ? "" : "s"}.`,
            },
      );
      client.invalidateQueries({ queryKey: ["notifications", siteId] });
    },
    onError: (error) => {
      setErrors(urlErrors(error));
      setMessage({ tone: "error", text: describeError(error) });
    },
  });
  const toggle = (event: NotificationSettings["events"][number], on: boolean) =>
    setEvents((list) => (on ? [...new Set([...list, event])] : list.filter((e) => e !== event)));
  return (
    <Card title="Notifications" testId="notifications">
      <form
        noValidate
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          setMessage(null);
          save.mutate();
        }}
      >
        {message && (
          <Alert tone={message.tone} onClose={() => setMessage(null)} testId="notifications-message">
            {message.text}
          </Alert>
        )}
        <div>
          <p className="text-xs font-medium text-slate-700">Current targets</p>
          {settings.targets.length ? (
            <ul className="mt-1 space-y-0.5 text-sm" data-testid="notification-targets">
              {settings.targets.map((t) => (
                <li key={t.url}>
                  <code className="text-xs">{t.url}</code>{" "}
                  <span className="text-xs text-slate-600">({t.service})</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-sm text-slate-600">None yet: nobody is told when a run fails.</p>
          )}
          {settings.last_error && (
            <p className="mt-1 text-xs text-red-700">Last delivery failed: {settings.last_error}</p>
          )}
          {settings.last_sent_at && (
            <p className="mt-1 text-xs text-slate-600">Last sent {formatDateTime(settings.last_sent_at)}.</p>
          )}
        </div>
        <Field
          label="Replace the targets (one apprise URL a line)"
          name="notification_urls"
          errors={errors}
          hint="e.g. mailto://user:pass@example.com, slack://TokenA/TokenB/TokenC, json://hooks.example.com/path. Empty keeps the current targets."
        >
          <textarea
            {...fieldProps("notification_urls", errors)}
            rows={3}
            className={`${inputClass} font-mono text-xs`}
            value={urls}
            onChange={(e) => setUrls(e.target.value)}
          />
        </Field>
        <fieldset>
          <legend className="mb-1 text-xs font-medium text-slate-700">Send a message when</legend>
          <div className="grid grid-cols-1 gap-1 sm:grid-cols-2">
            {settings.available_events.map((e) => (
              <Toggle
                key={e.event}
                name={`event-${e.event}`}
                label={e.label}
                checked={events.includes(e.event)}
                onChange={(on) => toggle(e.event, on)}
              />
            ))}
          </div>
        </fieldset>
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" type="submit" loading={save.isPending}>
            Save notifications
          </Button>
          <Button onClick={() => test.mutate()} loading={test.isPending}>
            Test
          </Button>
        </div>
      </form>
    </Card>
  );
}
