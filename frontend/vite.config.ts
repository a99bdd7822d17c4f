/// <reference types="vitest/config" />
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Django serves dist/index.html for every dashboard route and dist/assets/* at /assets/.
// `npm run dev` proxies the API and media to a Django dev server on :8000.
const django = process.env.DJANGO_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  base: "/",
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { "/api": django, "/media": django } },
  // Pure logic runs in node; component tests (*.test.tsx) ask for jsdom in their first line.
  // A shared CI machine can take seconds to start jsdom: a generous per-test timeout.
  test: { environment: "node", include: ["src/**/*.test.{ts,tsx}"], testTimeout: 20_000 },
});
