// Extends the create-plugin configuration in .config/ (never edited by hand) the documented way: webpack-merge.
import CopyWebpackPlugin from 'copy-webpack-plugin';
import fs from 'fs';
import path from 'path';
import type { Compiler, Configuration, RuleSetRule } from 'webpack';
import { merge } from 'webpack-merge';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

/**
 * The bundled dashboards (the Cilium Scope dashboard and its node drill-down) live at the repository root (they are
 * also provisioned from there) and ship in dist/dashboards/.
 */
const BUNDLED_DASHBOARDS = ['cilium-scope.json', 'cilium-scope-node.json'];
const dashboardSource = (name: string) => path.resolve(__dirname, 'dashboards', name);

/** Says so at the end of every build while dist/ lacks a dashboard that plugin.json includes. */
class MissingDashboardWarning {
  apply(compiler: Compiler): void {
    compiler.hooks.afterEmit.tap('MissingDashboardWarning', (compilation) => {
      for (const name of BUNDLED_DASHBOARDS.filter((n) => !fs.existsSync(dashboardSource(n)))) {
        compilation.warnings.push(
          new compiler.webpack.WebpackError(
            `${path.relative(__dirname, dashboardSource(name))} does not exist: plugin.json includes it, ` +
              'so the packaged plugin would list a dashboard it cannot import.'
          )
        );
      }
    });
  }
}

/**
 * The same swc rule compiling to ES2020 instead of ES2015: every browser Grafana 10.4+ supports runs ES2020, and
 * ES2015 output inlines helpers for each object spread and optional chain, making module.js larger.
 */
function withSwcTarget(config: Configuration, target: string): Configuration {
  const rules = (config.module?.rules ?? []).map((rule) => {
    const use = (rule as RuleSetRule | undefined)?.use as { loader?: string; options?: { jsc?: object } } | undefined;
    if (!use || Array.isArray(use) || use.loader !== 'swc-loader') {
      return rule;
    }
    return {
      ...(rule as RuleSetRule),
      use: { ...use, options: { ...use.options, jsc: { ...use.options?.jsc, target } } },
    };
  });
  return { ...config, module: { ...config.module, rules } };
}

const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = withSwcTarget(await grafanaConfig(env), 'es2020');
  return merge(baseConfig, {
    plugins: [
      new CopyWebpackPlugin({
        patterns: BUNDLED_DASHBOARDS.map((name) => ({
          from: dashboardSource(name),
          to: `dashboards/${name}`,
          noErrorOnMissing: true,
        })),
      }),
      new MissingDashboardWarning(),
    ],
    performance: {
      // The whole plugin is a few tens of KiB; anything near these limits means a shared module got bundled.
      hints: env.production ? 'error' : false,
      maxEntrypointSize: 300 * 1024,
      maxAssetSize: 300 * 1024,
    },
  });
};

export default config;
