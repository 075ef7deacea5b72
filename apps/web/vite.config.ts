import { defineConfig } from 'vite';

// Outside tsconfig.json's `include` on purpose: this file runs in Node, the app does not.
const gateway = 'http://127.0.0.1:8022';

export default defineConfig({
  server: {
    // No `changeOrigin`: the gateway refuses a WebSocket whose Origin names another host than its
    // Host header, and the browser's Origin is this dev server.
    proxy: {
      '/api': { target: gateway },
      '/ws': { target: gateway, ws: true },
    },
  },
  build: { outDir: 'dist' },
});
