import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Component tests: jsdom, no browser. The browser suite (real Chromium against the real platform) lives in
// tests/test/web and runs under node:test with the rest.
export default defineConfig({
  plugins: [react()],
  test: { environment: 'jsdom', include: ['test/**/*.test.tsx', 'test/**/*.test.ts'], setupFiles: ['test/setup.ts'] },
});
