import { useEffect } from "react";
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from "react-router";
import { setUnauthorizedHandler } from "./api/client";
import { Layout } from "./components/Layout";
import { Alert, Loading } from "./components/ui";
import { SiteProvider } from "./hooks/useSite";
import { useSession } from "./hooks/useSession";
import { describeError } from "./lib/errors";
import { AutomationPage } from "./pages/AutomationPage";
import { KeywordsPage } from "./pages/KeywordsPage";
import { LoginPage } from "./pages/LoginPage";
import { ReviewPage } from "./pages/ReviewPage";
import { SettingsPage } from "./pages/SettingsPage";

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
        <Route path="/keywords" element={<KeywordsPage />} />
        <Route path="/review" element={<ReviewPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
