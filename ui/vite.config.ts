/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Tauri loads the built files from ui/dist (tauri.conf.json: build.frontendDist).
export default defineConfig({
  base: "./",
  clearScreen: false,
  plugins: [react()],
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    target: "es2022",
    // ELK (the designer's layout, ~1.5 MB) is its own lazy chunk and worker script.
    chunkSizeWarningLimit: 1700,
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
    // One copy of `graphql` (its CommonJS build, the one the language service requires)
    // for the language service and the schemas the tests build.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
});
