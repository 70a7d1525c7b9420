// One jest run, several projects: the exporter and simulator run under Node, the plugin under jsdom with
// the create-plugin configuration, browser checks drive Debian's Chromium against the built plugin.
process.env.TZ = 'UTC';

const grafanaJest = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

// ESM-only packages the exporter loads (the Kubernetes client and what it imports), transformed to CommonJS for jest.
const exporterESModules = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose'];

const swcNode = [
  '@swc/jest',
  {
    sourceMaps: 'inline',
    jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: false } },
    module: { type: 'commonjs' },
  },
];

const nodeProject = (name, dirs, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: dirs.map((d) => `<rootDir>/test/${d}/**/*.test.ts`),
  transform: { '^.+\\.(t|j)s$': swcNode },
  transformIgnorePatterns: [nodeModulesToTransform(exporterESModules)],
  ...extra,
});

module.exports = {
  testTimeout: 30000,
  projects: [
    nodeProject('exporter', ['unit']),
    nodeProject('integration', ['integration'], { slowTestThreshold: 20 }),
    {
      ...grafanaJest,
      displayName: 'plugin',
      rootDir: __dirname,
      modulePaths: ['<rootDir>/src'],
      setupFilesAfterEnv: ['<rootDir>/jest-setup.js'],
      testMatch: ['<rootDir>/test/plugin/**/*.test.{ts,tsx}'],
      // @grafana/data imports d3-color, which ships only .mjs: transform it like the rest.
      transform: { ...grafanaJest.transform, '^.+\\.mjs$': grafanaJest.transform['^.+\\.(t|j)sx?$'] },
      transformIgnorePatterns: [nodeModulesToTransform(grafanaESModules)],
    },
    nodeProject('browser', ['browser']),
  ],
};
