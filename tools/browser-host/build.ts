/**
 * Builds a host page with esbuild: one script holding Grafana's shared modules from node_modules, the AMD loader
 * and a page's own code (e.g. test/browser/pages/plugin.tsx), plus the CSS those modules import and an index.html.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve, sep } from 'path';

import type { InstalledRelease } from './grafanaInstall';

export const REPO_ROOT = resolve(__dirname, '..', '..');

const PROJECT_MODULES = join(REPO_ROOT, 'node_modules');

/** Icons @grafana/ui fetches at run time from Grafana's `public/build/`, shipped in the npm package. */
export function grafanaUiPublic(nodeModules = PROJECT_MODULES): string {
  return join(nodeModules, '@grafana', 'ui', 'dist', 'public');
}

/** Debian's fonts-inter, when installed, stands in for the Inter web fonts Grafana serves itself. */
const SYSTEM_INTER = '/usr/share/fonts/opentype/inter';

function interFontMounts(): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const face of ['Regular', 'Medium', 'Italic', 'MediumItalic']) {
    const file = join(SYSTEM_INTER, `Inter-${face}.otf`);
    if (existsSync(file)) {
      mounts[`/public/fonts/inter/Inter-${face}.woff2`] = file;
    }
  }
  return mounts;
}

/** URL prefix → directory for a static server: the page, Grafana's public assets and the built plugin. */
export function hostMounts(page: HostPage, pluginId: string, distDir: string): Record<string, string> {
  return {
    ...interFontMounts(),
    '/': page.dir,
    // Grafana 12+ serves @grafana/ui's icons from public/build/img/, earlier releases from public/img/.
    '/public/build/': grafanaUiPublic(page.nodeModules),
    '/public/img/': join(grafanaUiPublic(page.nodeModules), 'img'),
    // Grafana serves its loading spinner from its own build; the npm package lacks it, so the host draws one.
    '/public/build/img/icons/unicons/spinner.svg': join(__dirname, 'assets', 'spinner.svg'),
    '/public/img/icons/unicons/spinner.svg': join(__dirname, 'assets', 'spinner.svg'),
    [`/public/plugins/${pluginId}/`]: distDir,
  };
}

/**
 * Assets a real Grafana serves that no npm package ships (its web fonts; Inter comes from fonts-inter when that
 * Debian package is installed); their absence changes the typeface of screenshots, nothing else, so tests do not
 * count these 404s as errors.
 */
export const ASSETS_ONLY_GRAFANA_SERVES = /\/public\/fonts\//;

export interface HostPage {
  /** Directory holding index.html, host.js and host.css. */
  dir: string;
  buildMs: number;
  bytes: number;
  /** Where Grafana's modules in the page came from. */
  nodeModules: string;
  /** The Grafana version whose @grafana/ui is in the page. */
  grafanaVersion: string;
}

/**
 * Resolves every bare import of the page, and of what it imports, from one release's node_modules instead of the
 * project's, so the page holds exactly that Grafana's modules. Older @grafana/ui builds import react-use's CommonJS
 * files (`react-use/lib/x`); Grafana's own frontend build maps them to the ES modules (`react-use/esm/x`), and so
 * does this. @grafana/runtime 10.x imports SystemJS, the loader Grafana loads plugins with, as
 * `systemjs/dist/system` and `systemjs/dist/extras/amd`: the files `system.js` and `extras/amd.js` of the systemjs
 * package it depends on, which webpack finds by adding the extension; esbuild does not add one to a path the
 * package's `exports` map names, so this adds it (the same files, nothing stubbed).
 */
/** Marks the resolutions the plugins below ask esbuild for, which they leave to esbuild's own resolver. */
const INNER = { innerResolve: true };

function grafanaReleaseResolver(nodeModules: string): Plugin {
  const inside = (file: string) => file.startsWith(nodeModules + sep);
  return {
    name: 'grafana-release',
    setup(b) {
      b.onResolve({ filter: /^react-use\/lib\// }, (args) =>
        b.resolve(args.path.replace(/^react-use\/lib\//, 'react-use/esm/'), {
          kind: args.kind,
          resolveDir: inside(args.importer) ? args.resolveDir : nodeModules,
          pluginData: INNER,
        })
      );
      b.onResolve({ filter: /^systemjs\/dist\/[\w/-]+$/ }, (args) =>
        b.resolve(`${args.path}.js`, { kind: args.kind, resolveDir: args.resolveDir, pluginData: INNER })
      );
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === INNER || inside(args.importer)) {
          return undefined;
        }
        const result = await b.resolve(args.path, { kind: args.kind, resolveDir: nodeModules, pluginData: INNER });
        if (result.errors.length > 0) {
          return {
            errors: [{ text: `${args.path} (imported by ${args.importer}) is not in ${nodeModules}` }],
          };
        }
        return result;
      });
    },
  };
}

/**
 * Modules that only some releases have (e.g. `@grafana/ui/unstable`, 11.x and later): where the release lacks one
 * it becomes an empty module, so a page can look its exports up at run time and fall back, as plugins do.
 */
function optionalModulesResolver(modules: string[], nodeModules: string): Plugin {
  const filter = new RegExp(`^(${modules.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'optional-modules',
    setup(b) {
      b.onResolve({ filter }, async (args) => {
        if (args.pluginData === INNER) {
          return undefined;
        }
        const found = await b.resolve(args.path, { kind: args.kind, resolveDir: nodeModules, pluginData: INNER });
        return found.errors.length > 0 ? { path: args.path, namespace: 'absent-module' } : found;
      });
      b.onLoad({ filter: /.*/, namespace: 'absent-module' }, () => ({ contents: 'export {};', loader: 'js' }));
    },
  };
}

function installedUiVersion(nodeModules: string): string {
  return (require(join(nodeModules, '@grafana', 'ui', 'package.json')) as { version: string }).version;
}

export async function buildHostPage(options: {
  entry: string;
  title: string;
  outDir?: string;
  /** A Grafana release's packages to build the page from (default: the project's node_modules). */
  grafana?: InstalledRelease;
  /** Modules the page imports that some releases lack; they are empty there. */
  optionalModules?: string[];
}): Promise<HostPage> {
  const nodeModules = options.grafana?.nodeModules ?? PROJECT_MODULES;
  const grafanaVersion = installedUiVersion(nodeModules);
  const dir = options.outDir ?? mkdtempSync(join(tmpdir(), 'ciliumscope-host-'));
  const started = Date.now();
  const result = await build({
    entryPoints: [options.entry],
    outfile: join(dir, 'host.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    // The repository's tsconfig is the plugin's (classic JSX, src/ as base URL); the host needs neither.
    tsconfigRaw: { compilerOptions: {} },
    define: {
      'process.env.NODE_ENV': '"production"',
      global: 'globalThis',
      __GRAFANA_VERSION__: JSON.stringify(grafanaVersion),
    },
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl' },
    absWorkingDir: REPO_ROOT,
    nodePaths: [nodeModules],
    plugins: [
      ...(options.optionalModules?.length ? [optionalModulesResolver(options.optionalModules, nodeModules)] : []),
      ...(nodeModules === PROJECT_MODULES ? [] : [grafanaReleaseResolver(nodeModules)]),
    ],
    logLevel: 'silent',
    metafile: true,
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  // Releases whose modules import no CSS (10.4) produce none; the page links it all the same.
  if (!existsSync(join(dir, 'host.css'))) {
    writeFileSync(join(dir, 'host.css'), '');
  }
  writeFileSync(
    join(dir, 'index.html'),
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      `<title>${options.title}</title>`,
      '<link rel="icon" href="data:,">',
      '<link rel="stylesheet" href="/host.css">',
      '</head>',
      '<body>',
      '<div id="root"></div>',
      '<script src="/host.js"></script>',
      '</body>',
      '</html>',
    ].join('\n')
  );
  return { dir, buildMs: Date.now() - started, bytes, nodeModules, grafanaVersion };
}
