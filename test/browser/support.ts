/** One Chromium page on the plugin host page, for the tests of this directory. */
import { join } from 'path';
import type { Browser, Page } from 'playwright-core';

import { buildHostPage, hostMounts } from '../../tools/browser-host/build';
import { DIST_DIR, PLUGIN_ID } from '../../tools/browser-host/builtPlugin';
import { collectPageErrors, launchChromium } from '../../tools/browser-host/chromium';
import type { InstalledRelease } from '../../tools/browser-host/grafanaInstall';
import { startStaticServer, type RequestHandler, type StaticServer } from '../../tools/browser-host/server';

/** What `page.loadPlugin()` describes for the built plugin: a datasource plugin with both editors. */
export const LOADED_PLUGIN = {
  exportNames: ['plugin'],
  isDataSourcePlugin: true,
  extendsDataSourceApi: true,
  components: { ConfigEditor: 'function', QueryEditor: 'function' },
  hasAnnotationEditor: true,
  hasVariableEditor: true,
};

export interface PluginHost {
  page: Page;
  url: string;
  /** Uncaught page errors and console errors, for tests to assert there were none. */
  pageErrors: string[];
  close(): Promise<void>;
}

export interface PluginHostOptions {
  viewport?: { width: number; height: number };
  /** A Grafana release's modules for the page (default: the project's own, the release it builds against). */
  grafana?: InstalledRelease;
  /** Request handlers before the static files, e.g. the data proxy. */
  handlers?: RequestHandler[];
  /** Where the plugin is served from (default: dist/). */
  distDir?: string;
}

export async function openPluginHost(options: PluginHostOptions = {}): Promise<PluginHost> {
  const viewport = options.viewport ?? { width: 1100, height: 800 };
  const host = await buildHostPage({
    entry: join(__dirname, 'pages', 'plugin.tsx'),
    title: 'Cilium Scope plugin host',
    grafana: options.grafana,
  });
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startStaticServer(hostMounts(host, PLUGIN_ID, options.distDir ?? DIST_DIR), options.handlers);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
    const pageErrors = collectPageErrors(page);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const opened = { browser, server };
    return {
      page,
      url: server.url,
      pageErrors,
      close: async () => {
        await opened.browser.close();
        await opened.server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server?.close();
    throw error;
  }
}
