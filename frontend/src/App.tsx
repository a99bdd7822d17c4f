import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { setUnauthorizedHandler } from "./api/client";
import { Layout } from "./components/Layout";
import { Alert, Loading } from "./components/ui";
import { SiteProvider } from "./hooks/useSite";
import { useSession } from "./hooks/useSession";
import { describeError } from "./lib/errors";
import { AutomationPage } from "./pages/AutomationPage";
import { LoginPage } from "./pages/LoginPage";

// The automation page (where everyone lands) ships in the main bundle; the other pages load
// on first visit, so the first paint does not wait for code it does not show.
const KeywordsPage = lazy(() => import("./pages/KeywordsPage").then((m) => ({ default: m.KeywordsPage })));
const ReviewPage = lazy(() => import("./pages/ReviewPage").then((m) => ({ default: m.ReviewPage })));
const SettingsPage = lazy(() => import("./pages/SettingsPage").then((m) => ({ default: m.SettingsPage })));
const RunPage = lazy(() => import("./pages/RunPage").then((m) => ({ default: m.RunPage })));
const SitesPage = lazy(() => import("./pages/SitesPage").then((m) => ({ default: m.SitesPage })));
const CreditsPage = lazy(() => import("./pages/CreditsPage").then((m) => ({ default: m.CreditsPage })));

function Page({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

/** Pages behind the login: a 401/403 anywhere sends the user to /login?next=… */
function RequireAuth() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const here = location.pathname + location.search;

  useEffect(() => {
    setUnauthorizedHandler(() => navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true }));
    return () => setUnauthorizedHandler(null);
  }, [navigate, here]);

  if (session.isLoading) return <Loading label="Signing in…" />;
  if (session.error) {
    const status = (session.error as { status?: number }).status;
    if (status === 401 || status === 403)
      return <Navigate to={`/login?next=${encodeURIComponent(here)}`} replace />;
    return (
      <div className="mx-auto max-w-lg p-6">
        <Alert>{describeError(session.error)}</Alert>
        <button
          type="button"
          className="mt-3 text-sm text-indigo-700 underline"
          onClick={() => session.refetch()}
        >
          Try again
        </button>
      </div>
    );
  }
  if (!session.data) return <Navigate to={`/login?next=${encodeURIComponent(here)}`} replace />;
  return (
    <SiteProvider>
      <Layout />
    </SiteProvider>
  );
}

function NotFound() {
  return (
    <div className="py-10 text-center">
      <h1 className="text-lg font-semibold">Page not found</h1>
      <Link to="/automation" className="text-sm text-indigo-700 underline">
        Go to the automation page
      </Link>
    </div>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth />}>
        <Route index element={<Navigate to="/automation" replace />} />
        <Route path="/automation" element={<AutomationPage />} />
        <Route path="/automation/runs/:runId" element={<Page children={<RunPage />} />} />
        <Route path="/keywords" element={<Page children={<KeywordsPage />} />} />
        <Route path="/review" element={<Page children={<ReviewPage />} />} />
        <Route path="/sites" element={<Page children={<SitesPage />} />} />
        <Route path="/credits" element={<Page children={<CreditsPage />} />} />
        <Route path="/settings" element={<Page children={<SettingsPage />} />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
