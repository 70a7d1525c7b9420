/**
 * Browser side of the host page: what Grafana's frontend gives a plugin, built from this project's node_modules.
 * Grafana's shared modules are exposed through a global AMD `define`, so `<script src=".../module.js">` loads a
 * built plugin the way Grafana's SystemJS loader does: its dependencies resolve to these very module instances,
 * and any other dependency fails. Pages (test/browser/pages/plugin.tsx, tools/preview/page/preview.tsx) import
 * this, may add modules, and render into #root.
 */
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as i18next from 'i18next';
import * as lodash from 'lodash';
// Grafana hands moment to plugins that ask for it, so the host does too.
// eslint-disable-next-line no-restricted-imports
import * as moment from 'moment';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';
// Grafana's own stylesheet carries uPlot's, which time series need; @grafana/ui imports it itself only from 11.x.
import 'uplot/dist/uPlot.min.css';

declare const __GRAFANA_VERSION__: string;

/** The Grafana release whose modules this page holds (set by build.ts). */
export const GRAFANA_VERSION = __GRAFANA_VERSION__;

/**
 * Names a plugin read from a Grafana module that this release does not export, since the last mount(). Reading one
 * is legitimate (a runtime check for a newer API); rendering one is React's error #130 ("element type is
 * invalid: got undefined"), which names nothing in a production build, so the host names it.
 */
const missingReads = new Set<string>();

/**
 * The module as the plugin sees it, with reads of names it does not export noted. Property reads, `in` and key
 * listing behave exactly as on the module itself.
 */
function notingMissingExports(name: string, module: object): object {
  return new Proxy(module, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target) && key !== 'then' && key !== '__esModule') {
        missingReads.add(`${name}.${key}`);
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

export const sharedModules: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react/jsx-runtime': jsxRuntime,
  '@grafana/data': notingMissingExports('@grafana/data', grafanaData),
  '@grafana/ui': notingMissingExports('@grafana/ui', grafanaUi),
  '@grafana/runtime': notingMissingExports('@grafana/runtime', grafanaRuntime),
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  rxjs,
  lodash,
  moment,
  i18next,
};

type Factory = (...deps: unknown[]) => unknown;

interface AmdDefine {
  (deps: string[], factory: Factory): void;
  (factory: Factory): void;
  amd: object;
}

const loaded = new Map<string, { exports?: unknown; error?: Error }>();

/** Adds modules the loader hands out (a page that renders panels may need more of Grafana). */
export function registerModules(modules: Record<string, unknown>): void {
  Object.assign(sharedModules, modules);
}

function installDefine(): void {
  const define = ((depsOrFactory: string[] | Factory, maybeFactory?: Factory) => {
    const script = document.currentScript as HTMLScriptElement | null;
    const uri = script?.src ?? '';
    const deps = Array.isArray(depsOrFactory) ? depsOrFactory : [];
    const factory = (Array.isArray(depsOrFactory) ? maybeFactory : depsOrFactory) as Factory;
    try {
      const resolved = deps.map((dep) => {
        if (dep === 'module') {
          return { id: uri, uri };
        }
        if (!(dep in sharedModules)) {
          throw new Error(`module.js depends on "${dep}", which Grafana does not provide to plugins`);
        }
        return sharedModules[dep];
      });
      loaded.set(uri, { exports: factory(...resolved) });
    } catch (error) {
      loaded.set(uri, { error: error instanceof Error ? error : new Error(String(error)) });
    }
  }) as AmdDefine;
  define.amd = {};
  (window as unknown as { define: AmdDefine }).define = define;
}

/** Loads an AMD module by URL like Grafana loads a plugin's module.js, resolving with what its factory returned. */
export function loadAmdModule(url: string): Promise<unknown> {
  const absolute = new URL(url, window.location.href).href;
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = absolute;
    script.onload = () => {
      const result = loaded.get(absolute);
      if (!result) {
        reject(new Error(`${url} did not call define()`));
      } else if (result.error) {
        reject(result.error);
      } else {
        resolve(result.exports);
      }
    };
    script.onerror = () => reject(new Error(`${url} could not be fetched`));
    document.head.appendChild(script);
  });
}

export const darkTheme = grafanaData.createTheme({ colors: { mode: 'dark' } });

/** Grafana's dark theme and global styles around a page's content. */
export function Themed({ children }: { children: React.ReactNode }) {
  return (
    <grafanaData.ThemeContext.Provider value={darkTheme}>
      <grafanaUi.GlobalStyles />
      {children}
    </grafanaData.ThemeContext.Provider>
  );
}

/** A render error, with the Grafana exports the plugin used that this release lacks. */
export function describeRenderError(error: Error): string {
  const missing = [...missingReads];
  if (missing.length === 0) {
    return `${error.message} (Grafana ${GRAFANA_VERSION})`;
  }
  return (
    `${error.message} — the plugin used ${missing.join(', ')}, which Grafana ${GRAFANA_VERSION} does not export ` +
    `(React error #130 when rendered)`
  );
}

/**
 * Catches what the plugin's components throw while rendering, reports it with the missing exports named (a console
 * error, which the tests collect) and shows it in place of the component, as Grafana's own error boundary would.
 */
class HostErrorBoundary extends React.Component<{ children: React.ReactNode }, { message?: string }> {
  state: { message?: string } = {};

  static getDerivedStateFromError(error: Error) {
    return { message: describeRenderError(error) };
  }

  componentDidCatch(error: Error) {
    console.error(`render failed: ${describeRenderError(error)}`);
  }

  render() {
    if (this.state.message !== undefined) {
      return (
        <grafanaUi.Alert severity="error" title="The plugin failed to render">
          <span data-testid="render-error">{this.state.message}</span>
        </grafanaUi.Alert>
      );
    }
    return this.props.children;
  }
}

let root: ReactDOMClient.Root | undefined;

/** Renders into #root (replacing what was there), inside the dark theme and an error boundary. */
export function mount(element: React.ReactElement): void {
  const container = document.getElementById('root');
  if (!container) {
    throw new Error('the host page has no #root');
  }
  missingReads.clear();
  root ??= ReactDOMClient.createRoot(container);
  root.render(
    <Themed>
      <HostErrorBoundary key={Math.random()}>{element}</HostErrorBoundary>
    </Themed>
  );
}

installDefine();
