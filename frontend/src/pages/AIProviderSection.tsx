// Settings → "AI provider": the account's own text and image provider (bring your own key)
// and a Test button that makes one tiny real call per role.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useOnChange } from "../hooks/useOnChange";
import { call } from "../api/client";
import type { AIProviderCheck, AIProviderSettings } from "../api/models";
import { Alert, Button, Card, Field, fieldProps, inputClass, Loading } from "../components/ui";
import { ApiError, describeError, type FieldErrors } from "../lib/errors";

type Role = "text" | "image";

type ProviderSettings = AIProviderSettings;
type RoleSettings = ProviderSettings[Role];
type RoleForm = {
  provider: string;
  base_url: string;
  model: string;
  api_key: string;
  structured_output: string;
};
type CheckResult = AIProviderCheck[Role];

const aiProvider = {
  get: () => call<ProviderSettings>("aiProvider"),
  save: (body: Partial<Record<Role, Partial<RoleForm>>>) =>
    call<ProviderSettings>("aiProviderUpdate", { body }),
  reset: () => call<ProviderSettings>("aiProviderReset"),
  test: () => call<AIProviderCheck>("aiProviderTest", { body: {} }),
};

const PROVIDERS: Record<Role, string[]> = { text: ["openai", "demo"], image: ["openai", "demo", "none"] };
const MODES = ["json_schema", "json_object", "prompt"];
const LABELS: Record<Role, string> = { text: "Text (articles, ideas, clusters)", image: "Images" };

function toForm(settings: RoleSettings): RoleForm {
  return {
    provider: settings.provider,
    base_url: settings.base_url,
    model: settings.model,
    api_key: "",
    structured_output: "structured_output" in settings ? settings.structured_output : "",
  };
}

function roleErrors(error: unknown, role: Role): FieldErrors {
  if (!(error instanceof ApiError) || error.status !== 400) return {};
  const nested = error.body[role];
  if (!nested || typeof nested !== "object") return {};
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(nested as Record<string, unknown>))
    out[key] = Array.isArray(value) ? value.map(String) : [String(value)];
  return out;
}

export function AIProviderSection() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ["ai-provider"], queryFn: aiProvider.get });
  const [forms, setForms] = useState<Record<Role, RoleForm> | null>(null);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [results, setResults] = useState<Record<Role, CheckResult> | null>(null);
  useOnChange(query.data, (data) => {
    if (data) setForms({ text: toForm(data.text), image: toForm(data.image) });
  });

  const saved = (data: ProviderSettings, text: string) => {
    client.setQueryData(["ai-provider"], data);
    setSaveError(null);
    setMessage({ tone: "success", text });
  };
  const fail = (error: unknown) => {
    setSaveError(error);
    setMessage({ tone: "error", text: describeError(error) });
  };
  const save = useMutation({
    mutationFn: (body: Record<Role, RoleForm>) => {
      const strip = (role: Role) => {
        const { api_key, structured_output, ...rest } = body[role];
        return {
          ...rest,
          ...(api_key ? { api_key } : {}), // empty: keep the saved key
          ...(role === "text" ? { structured_output } : {}),
        };
      };
      return aiProvider.save({ text: strip("text"), image: strip("image") });
    },
    onSuccess: (data) => saved(data, "AI provider saved."),
    onError: fail,
  });
  const reset = useMutation({
    mutationFn: aiProvider.reset,
    onSuccess: (data) => saved(data, "Back to the server's AI provider."),
    onError: fail,
  });
  const test = useMutation({
    mutationFn: aiProvider.test,
    onSuccess: (data) => {
      setResults(data);
      setMessage(null);
      client.invalidateQueries({ queryKey: ["ai-provider"] }); // the test may save a detected mode
    },
    onError: fail,
  });

  if (query.isLoading || (!forms && !query.isError))
    return (
      <Card title="AI provider">
        <Loading />
      </Card>
    );
  if (query.isError || !forms || !query.data)
    return (
      <Card title="AI provider">
        <Alert>{describeError(query.error)}</Alert>
      </Card>
    );
  const data = query.data;
  const set = (role: Role, field: keyof RoleForm, value: string) =>
    setForms({ ...forms, [role]: { ...forms[role], [field]: value } });

  return (
    <Card title="AI provider" testId="ai-provider">
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          setMessage(null);
          save.mutate(forms);
        }}
      >
        <p className="text-sm text-slate-600">
          Your account's own provider, endpoint and key for writing and for images. Leave a field empty to use
          the server's setting. Keys are stored encrypted and never shown again.
        </p>
        {message && <Alert tone={message.tone}>{message.text}</Alert>}
        {(["text", "image"] as Role[]).map((role) => {
          const errors = roleErrors(saveError, role);
          const uses = data[role].uses;
          const result = results?.[role];
          return (
            <fieldset
              key={role}
              className="space-y-2 rounded-md border border-slate-200 p-3"
              data-testid={`ai-${role}`}
            >
              <legend className="px-1 text-sm font-medium text-slate-800">{LABELS[role]}</legend>
              <p className="text-xs text-slate-500">
                Now: {uses.provider}
                {uses.provider !== "none" && ` · ${uses.model}`}
                {"structured_output" in uses &&
                  uses.structured_output &&
                  ` · ${uses.structured_output}`} ·{" "}
                {uses.source === "account" ? "your settings" : "server settings"}
              </p>
              <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
                <Field label="Provider" name={`${role}-provider`} errors={errors.provider}>
                  <select
                    {...fieldProps(`${role}-provider`, errors.provider)}
                    className={inputClass}
                    value={forms[role].provider}
                    onChange={(e) => set(role, "provider", e.target.value)}
                  >
                    <option value="">Server default</option>
                    {PROVIDERS[role].map((p) => (
                      <option key={p} value={p}>
                        {p === "none" ? "none (no images)" : p}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="Model" name={`${role}-model`} errors={errors.model}>
                  <input
                    {...fieldProps(`${role}-model`, errors.model)}
                    className={inputClass}
                    placeholder={uses.model}
                    value={forms[role].model}
                    onChange={(e) => set(role, "model", e.target.value)}
                  />
                </Field>
                <Field
                  label="Base URL"
                  name={`${role}-base_url`}
                  errors={errors.base_url}
                  hint="OpenAI-compatible API root; empty with a key: api.openai.com."
                >
                  <input
                    {...fieldProps(`${role}-base_url`, errors.base_url)}
                    className={inputClass}
                    placeholder="https://api.openai.com/v1"
                    value={forms[role].base_url}
                    onChange={(e) => set(role, "base_url", e.target.value)}
                  />
                </Field>
                <Field
                  label="API key"
                  name={`${role}-api_key`}
                  errors={errors.api_key}
                  hint={
                    data[role].api_key_set
                      ? "Saved (encrypted). Leave empty to keep it."
                      : "Optional for local servers."
                  }
                >
                  <input
                    {...fieldProps(`${role}-api_key`, errors.api_key)}
                    type="password"
                    autoComplete="new-password"
                    className={inputClass}
                    value={forms[role].api_key}
                    onChange={(e) => set(role, "api_key", e.target.value)}
                  />
                </Field>
                {role === "text" && (
                  <Field
                    label="Structured output"
                    name="text-structured_output"
                    errors={errors.structured_output}
                    hint="How JSON is asked for; Test detects it when empty."
                  >
                    <select
                      {...fieldProps("text-structured_output", errors.structured_output)}
                      className={inputClass}
                      value={forms.text.structured_output}
                      onChange={(e) => set("text", "structured_output", e.target.value)}
                    >
                      <option value="">Server default</option>
                      {MODES.map((m) => (
                        <option key={m} value={m}>
                          {m}
                        </option>
                      ))}
                    </select>
                  </Field>
                )}
              </div>
              {result && (
                <Alert tone={result.ok ? "success" : "error"} testId={`ai-${role}-test`}>
                  {result.ok ? "OK" : "Failed"}: {result.detail}
                </Alert>
              )}
            </fieldset>
          );
        })}
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" type="submit" loading={save.isPending}>
            Save AI provider
          </Button>
          <Button onClick={() => test.mutate()} loading={test.isPending}>
            Test
          </Button>
          <Button onClick={() => reset.mutate()} loading={reset.isPending}>
            Use server settings
          </Button>
        </div>
        <p className="text-xs text-slate-500">
          Test makes one small text call and, unless images are off, one image, billed by the provider.
        </p>
      </form>
    </Card>
  );
}
