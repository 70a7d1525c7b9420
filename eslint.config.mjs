import { defineConfig } from 'eslint/config';
import grafanaConfig from '@grafana/eslint-config';

// The scaffolded .config/eslint.config.mjs loads @grafana/eslint-config/flat.js, the entry of 9.x, which needs the
// deprecated @stylistic/eslint-plugin-ts. 10.x (ESM, @stylistic/eslint-plugin) has no such entry, so this file
// builds on 10.x directly and repeats the scaffold's additions (its block for ./tests/ matches nothing here).
export default defineConfig([
  {
    ignores: ['**/node_modules/', '**/dist/', '**/build/', '**/coverage/', '**/.eslintcache', 'docs/', '*.zip'],
  },
  ...grafanaConfig,
  {
    rules: {
      'react/prop-types': 'off',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        project: './tsconfig.json',
      },
    },
    rules: {
      '@typescript-eslint/no-deprecated': 'warn',
    },
  },
  {
    files: [
      'exporter/**/*.ts',
      'simulator/**/*.ts',
      'test/**/*.{ts,tsx}',
      'bench/**/*.{js,ts}',
      'scripts/**/*.js',
      'tools/**/*.{js,ts}',
    ],
    rules: {
      'no-console': 'off',
    },
  },
]);
