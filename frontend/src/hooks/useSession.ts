import { useQuery } from "@tanstack/react-query";
import { auth } from "../api";

export const ME_KEY = ["me"] as const;

/** The signed-in user (null when signed out). */
export function useSession() {
  return useQuery({ queryKey: ME_KEY, queryFn: auth.session, retry: false, staleTime: 60_000 });
}
