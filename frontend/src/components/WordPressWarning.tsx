// A warning on the pages that lead to publishing when the site's WordPress connection is
// failing (its last test, or a publish, could not connect or was refused): approved content waits meanwhile.
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { publishing } from "../api";
import { Alert } from "./ui";

export function WordPressWarning({ siteId }: { siteId: number }) {
  const query = useQuery({
    queryKey: ["wordpress", siteId],
    queryFn: () => publishing.wordpress(siteId),
    staleTime: 60_000,
  });
  const conn = query.data;
  if (!conn?.configured || !conn.is_active || conn.last_test_ok !== false) return null;
  return (
    <Alert tone="warning" testId="wordpress-warning">
      The WordPress connection is failing{conn.last_test_error ? `: ${conn.last_test_error}` : "."} Approved
      content waits until it works.{" "}
      <Link to="/settings" className="font-semibold underline">
        Check the connection in Settings
      </Link>
      .
    </Alert>
  );
}
