import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build produces the Electron main process, the browser host (same services, no Electron),
// the preload and the renderer.
export default defineConfig({
  main: {
    build: {
      // unixcrypt is ESM-only: bundle it into the CommonJS main output.
      externalizeDeps: { exclude: ['unixcrypt'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          web: resolve(__dirname, 'main/host/web-entry.ts'),
          // The headless CLI: the same services, no window (scripts/eai.mjs runs it).
          cli: resolve(__dirname, 'main/cli/eai.ts'),
        },
      },
    },
  },
  preload: {
    // Sandboxed preloads cannot require npm modules: bundle everything (zod included).
    build: {
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'preload/index.ts') }, output: { format: 'cjs' } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    build: { rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } } },
    plugins: [react()],
  },
});
