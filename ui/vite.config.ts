import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The app embeds dist/ (app/tauri.conf.json `frontendDist`). Nothing is fetched at run time:
// every script and style is a file of its own, which the strict CSP (no inline code) allows.
export default defineConfig({
  plugins: [svelte()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2021",
    // No data: URLs for scripts; assets stay files.
    assetsInlineLimit: 0,
    // One bundle of about 550 kB (CodeMirror, uPlot, the scenario schema) read from local
    // files, never a network: splitting it would not make the first window come sooner.
    chunkSizeWarningLimit: 800,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
