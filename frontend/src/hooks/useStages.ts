// The pipeline's stage table as the API serves it: it never changes while the page is open.
import { useQuery } from "@tanstack/react-query";
import { automation } from "../api";

export function useStages() {
  return useQuery({ queryKey: ["automation", "stages"], queryFn: automation.stages, staleTime: Infinity });
}
