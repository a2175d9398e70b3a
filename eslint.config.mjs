// Type-aware lint for the rules the compiler cannot enforce: promises that are never awaited, async
// callbacks where a sync one is expected, non-exhaustive switches, `any`, and workflow determinism.
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.cache/**',
      '.data/**',
      'scripts/**',
      '**/*.mjs',
      'db/drizzle.config.ts',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // node:test's describe/test return promises the runner itself tracks.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Workflows are replayed deterministically in a sandbox: no Node built-ins, and activities only as types.
    files: ['workflows/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.flatMap((name) => [
              { name, message: 'Workflows must be deterministic: no Node built-ins.' },
              { name: `node:${name}`, message: 'Workflows must be deterministic: no Node built-ins.' },
            ]),
            { name: '@voice/activities', allowTypeImports: true, message: 'Import activities as types only.' },
            { name: '@voice/gpu-activities', allowTypeImports: true, message: 'Import activities as types only.' },
            { name: '@voice/db', message: 'Workflows reach the database through activities.' },
            { name: '@voice/storage', message: 'Workflows pass storage keys; activities do the I/O.' },
          ],
        },
      ],
    },
  },
  {
    // The web app: hooks called unconditionally and with complete dependency lists.
    files: ['apps/web/**/*.tsx', 'apps/web/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
