import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'data', 'coverage', 'test-results', 'dev-dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  // Dependencies point one way: domain <- device, scan <- ui; the server sees only the domain.
  layer(
    ['src/domain/**'],
    [
      {
        group: [
          'react',
          'react-dom',
          'dexie',
          'dexie-react-hooks',
          'zustand',
          '@zxing/*',
          'zxing-wasm',
          'zxing-wasm/*',
          'node:*',
          'pg',
          '@electric-sql/*',
          'fastify',
        ],
        message: 'src/domain is pure: no I/O libraries.',
      },
      { group: ['**/device/**', '**/ui/**', '**/server/**', '**/scan/**'], message: 'src/domain depends on nothing else in src.' },
    ],
  ),
  layer(
    ['src/server/**'],
    [
      { group: ['react', 'react-dom', 'dexie', 'dexie-react-hooks', 'zustand'], message: 'The server never depends on PWA libraries.' },
      { group: ['**/device/**', '**/ui/**', '**/scan/**'], message: 'The server depends on src/domain and its own storage only.' },
    ],
  ),
  layer(
    ['src/device/**', 'src/scan/**'],
    [
      { group: ['react', 'react-dom', '**/ui/**'], message: 'Device code has no UI.' },
      { group: ['**/server/**', 'pg', '@electric-sql/*', 'fastify'], message: 'The device never imports the server.' },
    ],
  ),
);
