/**
 * The module names Grafana's plugin loader provides to a plugin's AMD `define([...])`. A built plugin may depend on
 * these and on nothing else: anything else must be bundled, or Grafana fails with "Could not load plugin".
 * `module` is the AMD meta module (the plugin's own URL), which the loader always supplies.
 */
export const GRAFANA_SHARED_MODULES = [
  'module',
  'react',
  'react-dom',
  'react/jsx-runtime',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  '@emotion/css',
  '@emotion/react',
  'rxjs',
  'lodash',
  'moment',
  'd3',
  'i18next',
  'react-router',
  'react-redux',
  'redux',
  'slate',
  'prismjs',
  'jquery',
] as const;
