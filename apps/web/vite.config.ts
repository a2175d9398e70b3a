import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves dist/ at / (apps/api/src/web/web-app.ts): hashed files under assets/ are cached forever,
// index.html never. `npm run dev -w @voice/web` proxies /api to a platform already running on :3000.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The API's CSP has no 'unsafe-inline' for scripts: nothing may be inlined into index.html.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
