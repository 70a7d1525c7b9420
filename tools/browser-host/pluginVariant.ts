/**
 * Builds a variant of the plugin with the project's own webpack configuration (the create-plugin one, production
 * mode): the same module.js with one of its modules swapped for another file. Tests use it to show what a host does
 * with a plugin that makes a given mistake, e.g. rendering a component an older Grafana does not have.
 */
import { cpSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import webpack, { type Configuration, type WebpackPluginInstance } from 'webpack';

import { DIST_DIR } from './builtPlugin';

/**
 * webpack.config.ts, loaded at run time: it and the create-plugin files under .config/ are compiled by webpack's
 * own build with their own options (`.ts` import paths), which the tests' type check does not share.
 */
function projectConfig(env: Record<string, unknown>): Promise<Configuration> {
  const loaded = require('../../webpack.config') as {
    default: (e: Record<string, unknown>) => Promise<Configuration>;
  };
  return loaded.default(env);
}

/** Plugins that write outside the output folder or copy files a module.js variant does not need. */
const LEFT_OUT = new Set(['ReplaceInFilePlugin', 'CopyPlugin', 'MissingDashboardWarning']);

export interface PluginVariant {
  /** A dist/ folder: the variant's module.js beside the built plugin's plugin.json and assets. */
  distDir: string;
  buildMs: number;
}

/**
 * `request` is an import exactly as src/ writes it (e.g. `./components/ConfigEditor` in module.ts); `replacement` is
 * the file that takes its place. The built dist/ must exist (its plugin.json and images are reused).
 */
export async function buildPluginVariant(request: string, replacement: string): Promise<PluginVariant> {
  const started = Date.now();
  const distDir = mkdtempSync(join(tmpdir(), 'ciliumscope-variant-'));
  cpSync(DIST_DIR, distDir, { recursive: true });
  const base = await projectConfig({ production: true });
  const exact = new RegExp(`^${request.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
  const config: Configuration = {
    ...base,
    cache: false,
    output: { ...base.output, path: distDir, clean: false },
    plugins: [
      ...(base.plugins ?? []).filter(
        (p): p is WebpackPluginInstance => Boolean(p) && !LEFT_OUT.has((p as object).constructor.name)
      ),
      new webpack.NormalModuleReplacementPlugin(exact, replacement),
    ],
  };
  await new Promise<void>((resolve, reject) => {
    webpack(config, (error, stats) => {
      if (error || !stats || stats.hasErrors()) {
        reject(error ?? new Error(stats?.toString({ all: false, errors: true }) ?? 'webpack gave no stats'));
      } else {
        resolve();
      }
    });
  });
  return { distDir, buildMs: Date.now() - started };
}
