/**
 * Host page for the built plugin: loads dist/module.js through the AMD loader, answers the plugin's requests from
 * fixtures the test supplies (standing in for Grafana's data proxy and the exporter), and renders the plugin's
 * editors. Everything is driven from the test through `window.page`.
 */
import {
  CoreApp,
  DataSourceApi,
  DataSourcePlugin,
  dateTime,
  type DataFrame,
  type DataQuery,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceSettings,
  type TypedVariableModel,
} from '@grafana/data';
import {
  setBackendSrv,
  setTemplateSrv,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchError,
  type FetchResponse,
  type TemplateSrv,
} from '@grafana/runtime';
import React, { useState, type ComponentType } from 'react';
import { lastValueFrom, Observable } from 'rxjs';

import { fetchOverHttp, fetchResponse } from '../../../tools/browser-host/backendFetch';
import {
  editorSettings,
  instanceSettings,
  proxyUrl as proxyUrlOf,
} from '../../../tools/browser-host/datasourceSettings';
import { GRAFANA_VERSION, loadAmdModule, mount } from '../../../tools/browser-host/runtime';

const PLUGIN_ID = 'ciliumscope-cilium-datasource';

interface Fixture {
  status: number;
  body?: unknown;
}

const fixtures = new Map<string, Fixture>();
const requests: Array<{ method: string; url: string; data?: unknown }> = [];
let proxyUrl = proxyUrlOf('cilium-scope');
let backendMode: 'fixtures' | 'http' = 'fixtures';

/** Answers from the fixtures the test set, keyed by method and exporter path. */
function fromFixtures<T>(options: BackendSrvRequest, method: string): Observable<FetchResponse<T>> {
  const prefix = `${proxyUrl}/api`;
  const path = options.url.startsWith(`${prefix}/`) ? options.url.slice(prefix.length) : options.url;
  const fixture = fixtures.get(`${method} ${path}`) ?? {
    status: 404,
    body: { error: `no fixture for ${method} ${path}` },
  };
  return new Observable((subscriber) => {
    const timer = setTimeout(() => {
      if (fixture.status >= 200 && fixture.status < 300) {
        subscriber.next(fetchResponse(options, fixture.status, fixture.body as T));
        subscriber.complete();
      } else {
        const error: FetchError = { status: fixture.status, data: fixture.body, config: options };
        subscriber.error(error);
      }
    }, 5);
    return () => clearTimeout(timer);
  });
}

/** Grafana's BackendSrv as far as the plugin uses it: fetch(). */
const backendSrv = {
  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    const method = options.method ?? 'GET';
    requests.push({ method, url: options.url, data: options.data });
    return backendMode === 'http' ? fetchOverHttp<T>(options) : fromFixtures<T>(options, method);
  },
} as unknown as BackendSrv;

let variables: Array<{ name: string; current: { value: string[]; text: string } }> = [
  { name: 'node', current: { value: ['worker-1', 'worker-2'], text: 'worker-1 + worker-2' } },
];

const templateSrv: TemplateSrv = {
  getVariables: () => variables as unknown as TypedVariableModel[],
  replace: (target, _scopedVars, format) =>
    (target ?? '').replace(/\$(\w+)/g, (match, name: string) => {
      const variable = variables.find((v) => v.name === name);
      if (!variable) {
        return match;
      }
      return typeof format === 'function' ? format(variable.current.value, variable) : variable.current.value.join(',');
    }),
  containsTemplate: (target) => /\$\w+/.test(target ?? ''),
  updateTimeRange: () => {},
};

setBackendSrv(backendSrv);
setTemplateSrv(templateSrv);

type AnyPlugin = DataSourcePlugin<DataSourceApi<DataQuery>, DataQuery>;
let plugin: AnyPlugin | undefined;
let datasource: DataSourceApi<DataQuery> | undefined;

function requirePlugin(): { plugin: AnyPlugin; datasource: DataSourceApi<DataQuery> } {
  if (!plugin || !datasource) {
    throw new Error('call page.loadPlugin() first');
  }
  return { plugin, datasource };
}

const state: { lastQuery?: DataQuery; lastOptions?: unknown; runs: number } = { runs: 0 };

function QueryEditorHost({ Editor, initial }: { Editor: ComponentType<any>; initial: DataQuery }) {
  const [query, setQuery] = useState(initial);
  const { datasource: ds } = requirePlugin();
  return (
    <div className="host-frame" data-testid="frame" style={{ padding: 16, width: 1000 }}>
      <Editor
        datasource={ds}
        query={query}
        onChange={(next: DataQuery) => {
          state.lastQuery = next;
          setQuery(next);
        }}
        onRunQuery={() => {
          state.runs += 1;
        }}
        app={CoreApp.PanelEditor}
      />
    </div>
  );
}

function ConfigEditorHost({ Editor, initial }: { Editor: ComponentType<any>; initial: DataSourceSettings }) {
  const [options, setOptions] = useState(initial);
  return (
    <div className="host-frame" data-testid="frame" style={{ padding: 16, width: 900 }}>
      <Editor
        options={options}
        onOptionsChange={(next: DataSourceSettings) => {
          state.lastOptions = next;
          setOptions(next);
        }}
      />
    </div>
  );
}

function frameSummary(frame: DataFrame) {
  return {
    refId: frame.refId,
    length: frame.length,
    fields: frame.fields.map((f) => ({ name: f.name, type: f.type, values: [...f.values] })),
  };
}

const page = {
  requests,
  state,
  /** The Grafana release whose modules the page hands the plugin. */
  grafanaVersion: GRAFANA_VERSION,

  setFixture(method: string, path: string, status: number, body?: unknown) {
    fixtures.set(`${method} ${path}`, { status, body });
  },

  /** Sends the plugin's requests over HTTP to this page's server (its data proxy) instead of the fixtures. */
  useHttpBackend() {
    backendMode = 'http';
  },

  setVariables(next: Array<{ name: string; values: string[] }>) {
    variables = next.map((v) => ({ name: v.name, current: { value: v.values, text: v.values.join(' + ') } }));
  },

  /**
   * Loads dist/module.js as Grafana does, creates a datasource instance with the given uid and jsonData, and
   * describes what the module exports, as seen from the host's modules.
   */
  async loadPlugin(settings: { uid?: string; jsonData?: Record<string, unknown> } = {}) {
    const exports = (await loadAmdModule(`/public/plugins/${PLUGIN_ID}/module.js`)) as { plugin?: AnyPlugin };
    plugin = exports.plugin;
    if (!plugin) {
      throw new Error('module.js exports no `plugin`');
    }
    const uid = settings.uid ?? 'cilium-scope';
    proxyUrl = proxyUrlOf(uid);
    datasource = new plugin.DataSourceClass(
      instanceSettings(
        { pluginId: PLUGIN_ID, uid, name: 'Cilium Scope' },
        settings.jsonData ?? { url: 'http://exporter:9967' }
      )
    );
    return {
      exportNames: Object.keys(exports),
      isDataSourcePlugin: plugin instanceof DataSourcePlugin,
      extendsDataSourceApi: datasource instanceof DataSourceApi,
      components: Object.fromEntries(
        Object.entries(plugin.components).map(([name, component]) => [name, typeof component])
      ),
      hasAnnotationEditor: typeof datasource.annotations?.QueryEditor === 'function',
      hasVariableEditor: typeof (datasource.variables as { editor?: unknown } | undefined)?.editor === 'function',
      defaultQuery: datasource.getDefaultQuery?.(CoreApp.PanelEditor),
    };
  },

  /** Runs the datasource's query() as a panel would and summarises the frames and errors. */
  async runQuery(targets: DataQuery[], range = { from: 1_700_000_000_000, to: 1_700_003_600_000, intervalMs: 30000 }) {
    const { datasource: ds } = requirePlugin();
    const request: DataQueryRequest<DataQuery> = {
      requestId: 'Q1',
      interval: `${range.intervalMs / 1000}s`,
      intervalMs: range.intervalMs,
      maxDataPoints: 100,
      range: { from: dateTime(range.from), to: dateTime(range.to), raw: { from: 'now-1h', to: 'now' } },
      scopedVars: {},
      targets,
      timezone: 'utc',
      app: CoreApp.Dashboard,
      startTime: Date.now(),
    };
    const result = ds.query(request);
    const response: DataQueryResponse = result instanceof Promise ? await result : await lastValueFrom(result);
    return { frames: (response.data as DataFrame[]).map(frameSummary), errors: response.errors ?? [] };
  },

  /** Loads any AMD module through the same loader (to show the loader refuses what Grafana would refuse). */
  loadModuleForTest(url: string) {
    return loadAmdModule(url);
  },

  async testDatasource() {
    return requirePlugin().datasource.testDatasource();
  },

  /** A query variable's values, through the variable support Grafana 13 uses, and through metricFindQuery. */
  async variableValues(query: string) {
    const ds = requirePlugin().datasource;
    const legacy = await ds.metricFindQuery!(query);
    return legacy.map((v) => v.text);
  },

  /** Annotation events as Grafana gets them: prepareAnnotation → prepareQuery → query() → processEvents. */
  async annotationEvents(target: Record<string, unknown>, range: { from: number; to: number }) {
    const ds = requirePlugin().datasource;
    const support = ds.annotations!;
    const annotation = support.prepareAnnotation!({ name: 'events', enable: true, iconColor: 'red', target } as never);
    const query = support.prepareQuery!(annotation)!;
    const result = ds.query({
      requestId: 'A1',
      interval: '30s',
      intervalMs: 30000,
      range: { from: dateTime(range.from), to: dateTime(range.to), raw: { from: 'now-1h', to: 'now' } },
      scopedVars: {},
      targets: [query],
      timezone: 'utc',
      app: CoreApp.Dashboard,
      startTime: Date.now(),
    });
    const response: DataQueryResponse = result instanceof Promise ? await result : await lastValueFrom(result);
    const events = await lastValueFrom(support.processEvents!(annotation, response.data as DataFrame[]));
    return { events: events ?? [], errors: response.errors ?? [] };
  },

  showConfigEditor(overrides: Partial<DataSourceSettings> = {}) {
    const Editor = requirePlugin().plugin.components.ConfigEditor;
    if (!Editor) {
      throw new Error('the plugin has no ConfigEditor');
    }
    const initial = editorSettings({ pluginId: PLUGIN_ID, uid: 'cilium-scope', name: 'Cilium Scope' }, overrides);
    mount(<ConfigEditorHost key={Math.random()} Editor={Editor} initial={initial} />);
  },

  showQueryEditor(query: DataQuery) {
    const Editor = requirePlugin().plugin.components.QueryEditor;
    if (!Editor) {
      throw new Error('the plugin has no QueryEditor');
    }
    mount(<QueryEditorHost key={Math.random()} Editor={Editor} initial={query} />);
  },

  showAnnotationEditor(query: DataQuery) {
    const Editor = requirePlugin().datasource.annotations?.QueryEditor;
    if (!Editor) {
      throw new Error('the datasource has no annotation editor');
    }
    mount(<QueryEditorHost key={Math.random()} Editor={Editor} initial={query} />);
  },

  showVariableEditor(query: DataQuery) {
    const Editor = (requirePlugin().datasource.variables as { editor?: ComponentType<any> } | undefined)?.editor;
    if (!Editor) {
      throw new Error('the datasource has no variable editor');
    }
    mount(<QueryEditorHost key={Math.random()} Editor={Editor} initial={query} />);
  },
};

(window as unknown as { page: typeof page }).page = page;
document.body.dataset.ready = 'true';
