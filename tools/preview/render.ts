/**
 * Node side of the preview: builds the preview page with the plugin host's builder, serves it with the built plugin
 * and Grafana's data proxy (the plugin.json route for the Cilium Scope datasource, a plain forward for Prometheus),
 * opens it in headless Chromium and renders one dashboard per call, saving the full dashboard and each row as PNG.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';

import { buildHostPage, hostMounts, REPO_ROOT } from '../browser-host/build';
import { assertBuiltPlugin, DIST_DIR, PLUGIN_ID } from '../browser-host/builtPlugin';
import { collectPageErrors, launchChromium } from '../browser-host/chromium';
import { dataProxyHandler, type ProxiedDatasource } from '../browser-host/dataProxy';
import type { InstalledRelease } from '../browser-host/grafanaInstall';
import { startStaticServer, type StaticServer } from '../browser-host/server';
import { slug, type DashboardJson } from './dashboard';
import type { ShowOptions, ShowResult } from './summary';

/** Chromium's limit for a viewport dimension is far above any dashboard; this bounds a runaway layout. */
const MAX_VIEWPORT_HEIGHT = 16_000;

export interface RenderedDashboard {
  result: ShowResult;
  /** Uncaught errors and console errors of the page while it rendered this dashboard. */
  pageErrors: string[];
  /** PNG files written (full dashboard first, then one per row). */
  files: string[];
  renderMs: number;
}

export interface RenderOutput {
  dir: string;
  /** Image name: `<name>.png` for the dashboard, `<name>-<row>.png` per row. */
  name: string;
  /** Also one image per panel, `<name>-panel-<id>.png` (for looking closely; not part of the docs). */
  panels?: boolean;
  /** One image per row besides the dashboard's (default true). */
  rows?: boolean;
}

export interface PreviewBrowser {
  /** The Grafana release whose @grafana/* modules the page renders with. */
  grafanaVersion: string;
  /** Adds a datasource to the data proxy (the Cilium Scope route from dist/plugin.json, or Prometheus). */
  addDatasource(ds: ProxiedDatasource): void;
  render(options: ShowOptions, output?: RenderOutput): Promise<RenderedDashboard>;
  close(): Promise<void>;
}

/** A Prometheus datasource as Grafana proxies it: every path under the datasource URL. */
export function prometheusDatasource(uid: string, url: string): ProxiedDatasource {
  return { uid, routes: [{ path: '', url }], jsonData: {}, secureJsonData: {} };
}

/**
 * Requests that are the data the panels asked for: their failures (a 400 for a bad query) are panel errors,
 * reported per panel, not page errors.
 */
const DATA_PROXY = /\/api\/datasources\/proxy\//;

/** The preview page on a Grafana release's modules (default: the project's own, the release it builds against). */
export async function openPreviewBrowser(grafana?: InstalledRelease): Promise<PreviewBrowser> {
  assertBuiltPlugin();
  const host = await buildHostPage({
    entry: join(__dirname, 'page', 'preview.tsx'),
    title: 'Cilium Scope dashboard preview',
    grafana,
    optionalModules: ['@grafana/ui/unstable'],
  });
  const datasources: ProxiedDatasource[] = [];
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startStaticServer(hostMounts(host, PLUGIN_ID, DIST_DIR), [dataProxyHandler(datasources)]);
    browser = await launchChromium();
  } catch (error) {
    await server?.close();
    throw error;
  }
  const opened = { server, browser };

  async function render(options: ShowOptions, output?: RenderOutput): Promise<RenderedDashboard> {
    const started = Date.now();
    const context = await opened.browser.newContext({
      viewport: { width: options.gridWidth + 32, height: 1000 },
      deviceScaleFactor: 1,
      timezoneId: 'UTC',
      locale: 'en-US',
    });
    const page = await context.newPage();
    const pageErrors = collectPageErrors(page, DATA_PROXY);
    try {
      await page.goto(`${opened.server.url}/`);
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
      const result = (await page.evaluate(
        (o) => (window as unknown as { preview: { show(o: ShowOptions): Promise<ShowResult> } }).preview.show(o),
        options
      )) as ShowResult;
      // The whole dashboard in the viewport: content Chromium skips off-screen (table rows use
      // content-visibility) is painted before the screenshots.
      await page.setViewportSize({
        width: options.gridWidth + 32,
        height: Math.min(MAX_VIEWPORT_HEIGHT, result.box.top + result.box.height),
      });
      await page.evaluate(
        () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())))
      );
      const files: string[] = [];
      if (output) {
        mkdirSync(output.dir, { recursive: true });
        const full = join(output.dir, `${output.name}.png`);
        const { left: x, top: y, width, height } = result.box;
        await page.screenshot({ path: full, fullPage: true, clip: { x, y, width, height } });
        files.push(full);
        const used = new Set<string>();
        for (const row of output.rows === false ? [] : result.rows) {
          const name = `${output.name}-${used.has(row.slug) ? `${row.slug}-${row.top}` : row.slug}.png`;
          used.add(row.slug);
          const file = join(output.dir, name);
          const top = Math.max(result.box.top, row.top - 8);
          await page.screenshot({
            path: file,
            fullPage: true,
            clip: { x, y: top, width, height: row.bottom + 16 - top },
          });
          files.push(file);
        }
        if (output.panels) {
          for (const panel of result.panels) {
            const file = join(output.dir, `${output.name}-panel-${panel.id}.png`);
            await page.locator(`[data-panel-id="${panel.id}"]`).screenshot({ path: file });
            files.push(file);
          }
        }
      }
      return { result, pageErrors, files, renderMs: Date.now() - started };
    } finally {
      await context.close();
    }
  }

  return {
    grafanaVersion: host.grafanaVersion,
    addDatasource: (ds) => {
      datasources.push(ds);
    },
    render,
    close: async () => {
      await opened.browser.close();
      await opened.server.close();
    },
  };
}

/** Reads a shipped dashboard JSON file (relative to the repository root). */
export function readDashboard(path: string): unknown {
  return JSON.parse(readFileSync(join(REPO_ROOT, path), 'utf8'));
}

/** The image name of a dashboard: its file name without .json ("cilium-scope-prometheus"). */
export function imageName(path: string): string {
  return slug(path.replace(/^.*\//, '').replace(/\.json$/, ''));
}

export type { DashboardJson };
