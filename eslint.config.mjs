import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: ['**/node_modules/', '**/dist/', '**/build/', '**/coverage/', '**/.eslintcache', 'docs/', '*.zip'],
  },
  ...baseConfig,
  {
    files: ['exporter/**/*.ts', 'simulator/**/*.ts', 'test/**/*.{ts,tsx}', 'bench/**/*.{js,ts}', 'scripts/**/*.js', 'tools/**/*.{js,ts}'],
    rules: {
      'no-console': 'off',
    },
  },
]);
