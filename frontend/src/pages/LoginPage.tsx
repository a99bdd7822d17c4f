import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { auth } from "../api";
import { Alert, Button, Field, fieldProps, inputClass } from "../components/ui";
import { ME_KEY, useSession } from "../hooks/useSession";
import { ApiError, describeError } from "../lib/errors";

function safeNext(next: string | null): string {
  // Only same-app paths: never an open redirect.
  return next && next.startsWith("/") && !next.startsWith("//") && next !== "/login" ? next : "/automation";
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const session = useSession();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const next = safeNext(params.get("next"));

  const login = useMutation({
    mutationFn: () => auth.login(username.trim(), password),
    onSuccess: async () => {
      client.removeQueries();
      await client.fetchQuery({ queryKey: ME_KEY, queryFn: auth.me });
      navigate(next, { replace: true });
    },
  });

  if (session.data) return <Navigate to={next} replace />;

  const error = login.error;
  const message =
    error instanceof ApiError && [400, 401, 403].includes(error.status)
      ? "Wrong username or password."
      : error
        ? describeError(error)
        : null;

  return (
    <div className="flex min-h-screen items-center justify-center bg-gradient-to-br from-indigo-50 to-slate-100 px-4">
      <form
        className="w-full max-w-sm space-y-4 rounded-2xl bg-white p-6 shadow-lg ring-1 ring-slate-200"
        onSubmit={(e) => {
          e.preventDefault();
          login.mutate();
        }}
      >
        <div className="flex items-center gap-2">
          <img src="/favicon.svg" alt="" className="h-8 w-8" />
          <div>
            <h1 className="text-lg font-bold text-slate-900">IGNY8 Automation</h1>
            <p className="text-xs text-slate-500">Sign in to your dashboard</p>
          </div>
        </div>
        {message && <Alert testId="login-error">{message}</Alert>}
        <Field label="Username" name="username">
          <input
            {...fieldProps("username")}
            autoComplete="username"
            className={inputClass}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </Field>
        <Field label="Password" name="password">
          <input
            {...fieldProps("password")}
            type="password"
            autoComplete="current-password"
            className={inputClass}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </Field>
        <Button
          variant="primary"
          type="submit"
          className="w-full"
          loading={login.isPending}
          disabled={!username || !password}
        >
          Sign in
        </Button>
      </form>
    </div>
  );
}
