/**
 * What one refresh of a plugin dashboard costs: every panel's request (as the datasource builds it, see
 * panel-requests.ts) sent to a real exporter, with the size of each answer in bytes, the series (frames) it holds
 * and the notices the exporter attached. The scale test holds these to a budget; `npm run preview` prints them.
 */
import type { DropReasonsResponse, NodesResponse, QueryResponse, WorkloadsResponse } from '../../src/contract';
import { TRAFFIC_DIRECTIONS } from '../../src/queryTypes';
import { parseVariableQuery } from '../../src/variableQuery';
import type { DashboardJson } from './dashboard';
import { pluginPanelRequests, prometheusPanelRequests, resolveVariables, type PanelRequest } from './panel-requests';
import type { PromResponse } from './promql';

export interface PanelPayload {
  id: number;
  title: string;
  /** Bytes of the JSON answer, as the data proxy carries it. */
  bytes: number;
  /** Frames with at least one value: one per series of a graph, one per table. */
  series: number;
  notices: string[];
  /** Query errors by refId, or the HTTP error of the whole request. */
  errors: string[];
  ms: number;
}

export interface Exporter {
  url: string;
  token: string | null;
}

async function getJson<T>(
  exporter: Exporter,
  path: string,
  init?: RequestInit
): Promise<{ status: number; text: string; body: T }> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(init?.body ? { 'content-type': 'application/json' } : {}),
  };
  if (exporter.token) {
    headers.authorization = `Bearer ${exporter.token}`;
  }
  const response = await fetch(`${exporter.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as T };
}

/** A plugin query variable's options, answered from the exporter's API as the datasource's variable support does. */
export function exporterVariableOptions(exporter: Exporter): (query: unknown) => Promise<string[]> {
  return async (query) => {
    const { kind, seenOnly, droppedOnly, namespace } = parseVariableQuery(query as string);
    switch (kind) {
      case 'nodes':
        return (await getJson<NodesResponse>(exporter, '/api/v1/nodes')).body.nodes.map((n) => n.name).sort();
      case 'directions':
        return [...TRAFFIC_DIRECTIONS];
      case 'dropReasons':
        return (await getJson<DropReasonsResponse>(exporter, '/api/v1/drop-reasons')).body.reasons
          .filter((r) => !seenOnly || r.seen)
          .map((r) => r.reason);
      case 'namespaces':
        return (
          await getJson<{ namespaces: string[] }>(exporter, `/api/v1/namespaces${droppedOnly ? '?dropped=true' : ''}`)
        ).body.namespaces;
      case 'workloads': {
        // A $variable argument means every namespace here: the preview's variables are at All.
        const only = namespace && !namespace.includes('$') ? `?namespace=${encodeURIComponent(namespace)}` : '';
        const { workloads } = (await getJson<WorkloadsResponse>(exporter, `/api/v1/workloads${only}`)).body;
        return [...new Set(workloads.map((w) => w.workload))].sort();
      }
    }
  };
}

async function send(exporter: Exporter, request: PanelRequest): Promise<PanelPayload> {
  const started = Date.now();
  const { status, text, body } = await getJson<QueryResponse & { error?: string }>(exporter, '/api/v1/query', {
    method: 'POST',
    body: JSON.stringify(request.body),
  });
  const results = Object.entries(body.results ?? {});
  const frames = results.flatMap(([, r]) => r.frames ?? []);
  return {
    id: request.panel.id,
    title: request.panel.title,
    bytes: Buffer.byteLength(text),
    series: frames.filter((f) => f.data.values.some((column) => column.length > 0)).length,
    notices: frames.flatMap((f) => (f.schema.meta?.notices ?? []).map((n) => n.text)),
    errors:
      status === 200
        ? results.filter(([, r]) => r.error).map(([refId, r]) => `${refId}: ${r.error}`)
        : [`HTTP ${status}: ${body.error ?? text.slice(0, 200)}`],
    ms: Date.now() - started,
  };
}

/**
 * Every panel of a plugin dashboard refreshed once over `range`, with its variables as stored (All for the main
 * dashboards) and the grid `gridWidth` pixels wide. Panels run one after another, so each time is its own.
 */
export async function measurePluginDashboard(
  dashboard: DashboardJson,
  exporter: Exporter,
  range: { from: number; to: number },
  gridWidth: number
): Promise<PanelPayload[]> {
  const variables = await resolveVariables(dashboard, 'ciliumscope', exporterVariableOptions(exporter));
  const out: PanelPayload[] = [];
  for (const request of pluginPanelRequests(dashboard, variables, range, gridWidth)) {
    out.push(await send(exporter, request));
  }
  return out;
}

/**
 * Every panel of the Prometheus dashboard refreshed once against a Prometheus server: each target's PromQL as
 * Grafana's Prometheus datasource sends it (panel-requests.ts), with the bytes of Prometheus's answers and the series
 * they hold (a table query counts as one table, as Grafana draws it).
 */
export async function measurePrometheusDashboard(
  dashboard: DashboardJson,
  prometheusUrl: string,
  range: { from: number; to: number },
  scrapeIntervalMs: number,
  gridWidth: number
): Promise<PanelPayload[]> {
  const out: PanelPayload[] = [];
  for (const { panel, targets } of prometheusPanelRequests(dashboard, range, scrapeIntervalMs, gridWidth)) {
    const started = Date.now();
    const payload: PanelPayload = {
      id: panel.id,
      title: panel.title,
      bytes: 0,
      series: 0,
      notices: [],
      errors: [],
      ms: 0,
    };
    for (const { target, path, params } of targets) {
      const response = await fetch(`${prometheusUrl}${path}?${params}`, { signal: AbortSignal.timeout(60_000) });
      const text = await response.text();
      const body = JSON.parse(text) as PromResponse;
      payload.bytes += Buffer.byteLength(text);
      if (body.status !== 'success') {
        payload.errors.push(`${target.refId}: ${body.error ?? `HTTP ${response.status}`}`);
        continue;
      }
      // A table query is one table frame in Grafana, however many rows; a graph draws a series per result.
      const many = body.data.resultType === 'matrix' || body.data.resultType === 'vector';
      payload.series += target.format === 'table' || !many ? 1 : body.data.result.length;
    }
    payload.ms = Date.now() - started;
    out.push(payload);
  }
  return out;
}

const KB = 1024;

/** A table of the panels' payloads, largest first, and the total. */
export function formatPayloads(title: string, payloads: PanelPayload[]): string {
  const total = payloads.reduce((sum, p) => sum + p.bytes, 0);
  const width = Math.max(5, ...payloads.map((p) => p.title.length));
  const lines = [...payloads]
    .sort((a, b) => b.bytes - a.bytes)
    .map(
      (p) =>
        `  ${p.title.padEnd(width)}  ${String(p.series).padStart(6)}  ${(p.bytes / KB).toFixed(1).padStart(9)} KiB  ${String(p.ms).padStart(5)} ms`
    );
  return [
    `${title}: ${payloads.length} panels, ${(total / KB / KB).toFixed(2)} MiB per refresh`,
    `  ${'panel'.padEnd(width)}  ${'series'.padStart(6)}  ${'size'.padStart(13)}  ${'time'.padStart(8)}`,
    ...lines,
  ].join('\n');
}
