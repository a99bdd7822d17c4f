// The selected site, shared by every page and remembered across reloads.
import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { sites as sitesApi } from "../api";
import type { Site } from "../api/models";

const STORAGE_KEY = "igny8.siteId";

interface SiteState {
  sites: Site[];
  site: Site | null;
  siteId: number | null;
  setSiteId: (id: number) => void;
  isLoading: boolean;
  error: unknown;
}

const SiteContext = createContext<SiteState | null>(null);

export function SiteProvider({ children }: { children: ReactNode }) {
  const query = useQuery({ queryKey: ["sites"], queryFn: sitesApi.list, staleTime: 5 * 60_000 });
  const [chosen, setChosen] = useState<number | null>(() => {
    const stored = Number(localStorage.getItem(STORAGE_KEY));
    return Number.isInteger(stored) && stored > 0 ? stored : null;
  });
  const list = useMemo(() => query.data ?? [], [query.data]);
  const site = list.find((s) => s.id === chosen) ?? list[0] ?? null;

  useEffect(() => {
    if (site) localStorage.setItem(STORAGE_KEY, String(site.id));
  }, [site]);

  const value: SiteState = {
    sites: list,
    site,
    siteId: site?.id ?? null,
    setSiteId: setChosen,
    isLoading: query.isLoading,
    error: query.error,
  };
  return <SiteContext.Provider value={value}>{children}</SiteContext.Provider>;
}

export function useSite(): SiteState {
  const ctx = useContext(SiteContext);
  if (!ctx) throw new Error("useSite outside SiteProvider");
  return ctx;
}
