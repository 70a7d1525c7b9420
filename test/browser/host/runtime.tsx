/**
 * Browser side of the host page: what Grafana's frontend gives a plugin, built from this project's node_modules.
 * Grafana's shared modules are exposed through a global AMD `define`, so `<script src=".../module.js">` loads a
 * built plugin the way Grafana's SystemJS loader does: its dependencies resolve to these very module instances,
 * and any other dependency fails. Pages (pages/*.tsx) import this, may add modules, and render into #root.
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

export const sharedModules: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react/jsx-runtime': jsxRuntime,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': grafanaRuntime,
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

let root: ReactDOMClient.Root | undefined;

/** Renders into #root (replacing what was there), inside the dark theme. */
export function mount(element: React.ReactElement): void {
  const container = document.getElementById('root');
  if (!container) {
    throw new Error('the host page has no #root');
  }
  root ??= ReactDOMClient.createRoot(container);
  root.render(<Themed>{element}</Themed>);
}

installDefine();
