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
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
