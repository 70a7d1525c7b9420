/**
 * Builds a host page with esbuild: one script holding Grafana's shared modules from node_modules, the AMD loader
 * and a page's own code (pages/*.tsx), plus the CSS those modules import and an index.html.
 */
import { build } from 'esbuild';
import { existsSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** Icons @grafana/ui fetches at run time from Grafana's `public/build/`, shipped in the npm package. */
export const GRAFANA_UI_PUBLIC = join(REPO_ROOT, 'node_modules', '@grafana', 'ui', 'dist', 'public');

/** URL prefix → directory for a static server: the page, Grafana's public assets and the built plugin. */
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

export function hostMounts(page: HostPage, pluginId: string, distDir: string): Record<string, string> {
  return {
    ...interFontMounts(),
    '/': page.dir,
    '/public/build/': GRAFANA_UI_PUBLIC,
    // Grafana serves its loading spinner from its own build; the npm package lacks it, so the host draws one.
    '/public/build/img/icons/unicons/spinner.svg': join(__dirname, 'assets', 'spinner.svg'),
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
}

export async function buildHostPage(options: { entry: string; title: string; outDir?: string }): Promise<HostPage> {
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
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl' },
    absWorkingDir: REPO_ROOT,
    nodePaths: [join(REPO_ROOT, 'node_modules')],
    logLevel: 'silent',
    metafile: true,
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
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
  return { dir, buildMs: Date.now() - started, bytes };
}
