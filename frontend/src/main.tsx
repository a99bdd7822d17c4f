import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import "./index.css";
import { ApiError } from "./lib/errors";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Retry network blips and 5xx a couple of times; a 4xx answer will not change by retrying.
      retry: (count, error) =>
        count < 2 && (!(error instanceof ApiError) || error.isNetwork || error.status >= 500),
      refetchOnWindowFocus: true,
      staleTime: 2_000,
    },
    mutations: { retry: false },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
