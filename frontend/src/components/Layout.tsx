import { useMutation, useQueryClient } from "@tanstack/react-query";
import { NavLink, Outlet, useNavigate } from "react-router";
import { auth } from "../api";
import { useSession } from "../hooks/useSession";
import { useSite } from "../hooks/useSite";
import { describeError } from "../lib/errors";
import { Alert } from "./ui";

const NAV = [
  ["/automation", "Automation"],
  ["/keywords", "Keywords"],
  ["/review", "Review"],
  ["/sites", "Sites"],
  ["/credits", "Credits"],
  ["/settings", "Settings"],
] as const;

export function Layout() {
  const { data: me } = useSession();
  const { sites, siteId, setSiteId, error } = useSite();
  const client = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: auth.logout,
    onSettled: () => {
      client.clear();
      navigate("/login", { replace: true });
    },
  });

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded bg-white px-3 py-2 text-sm font-semibold focus:not-sr-only focus:absolute focus:left-2 focus:top-2"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/95 backdrop-blur">
        <div className="mx-auto flex max-w-[1500px] flex-wrap items-center gap-x-4 gap-y-2 px-3 py-2 sm:px-6">
          <NavLink to="/automation" className="flex items-center gap-2 font-bold text-slate-900">
            <img src="/favicon.svg" alt="" className="h-6 w-6" />
            IGNY8
          </NavLink>
          <nav
            className="order-3 -mx-1 flex w-full gap-1 overflow-x-auto sm:order-none sm:w-auto"
            aria-label="Main"
          >
            {NAV.map(([to, label]) => (
              <NavLink
                key={to}
                to={to}
                end={to !== "/automation"}
                className={({ isActive }) =>
                  `whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium ${isActive ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100"}`
                }
              >
                {label}
              </NavLink>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-2">
            <label className="sr-only" htmlFor="site-select">
              Site
            </label>
            <select
              id="site-select"
              data-testid="site-select"
              className="max-w-[11rem] rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm sm:max-w-xs"
              value={siteId ?? ""}
              onChange={(e) => setSiteId(Number(e.target.value))}
              disabled={!sites.length}
            >
              {!sites.length && <option value="">No site</option>}
              {sites.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
            <span className="hidden text-sm text-slate-600 md:inline" data-testid="username">
              {me?.username}
            </span>
            <button
              type="button"
              className="rounded-md px-2 py-1.5 text-sm text-slate-600 hover:bg-slate-100"
              onClick={() => logout.mutate()}
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-[1500px] px-3 py-4 sm:px-6">
        {error ? <Alert>{describeError(error)}</Alert> : null}
        <Outlet />
      </main>
    </div>
  );
}
