/**
 * One side of the history benchmark: a server answering the dashboard's panels over a range. Every panel once
 * (its first, uncached answer checked and timed), then alone under load (p50/p99), then the whole dashboard mix.
 * The plugin sides (embedded exporter, query replica) take the plugin dashboard's POST /api/v1/query bodies; the
 * PromQL side takes the Prometheus dashboard's queries, one request per target as Grafana sends them.
 */
import { type PromqlPanel, grafanaIntervalSeconds, pluginPanels, promqlPanels } from './panels';

const { cannon, drained, summary } = require('../scale/cannon') as {
  cannon: (
    url: string,
    requests: unknown[],
    connections: number,
    seconds: number,
    amount?: number,
    timeoutSeconds?: number
  ) => Promise<unknown>;
  drained: (url: string) => Promise<void>;
  summary: (result: unknown) => Summary;
};

export interface Summary {
  p50: number;
  p99: number;
  max: number;
  rps: number;
  total: number;
  errors: number;
}

export interface PanelFigure extends Partial<Summary> {
  id: number;
  title: string;
  /** HTTP requests one refresh of the panel sends. */
  requests: number;
  bytes: number;
  coldMs: number;
  error?: string;
}

export interface Side {
  name: string;
  /** What one latency figure measures: a panel's request, or one PromQL query of a panel. */
  unit: string;
  panels: PanelFigure[];
  mix: Summary | null;
}

export interface Range {
  /** Unix seconds. */
  from: number;
  to: number;
  scrapeSeconds: number;
}

interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends each request once, in parallel as a panel does; the time for all, their bytes, the first error. */
async function coldRun(url: string, requests: HttpRequest[], check: (json: any) => string | null) {
  const started = performance.now();
  const answers = await Promise.all(
    requests.map(async (r) => {
      const res = await fetch(url + r.path, {
        method: r.method,
        headers: r.headers,
        body: r.body,
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      let error: string | null = res.ok ? null : `HTTP ${res.status} ${text.slice(0, 200)}`;
      if (!error) {
        try {
          error = check(JSON.parse(text));
        } catch {
          error = `not JSON: ${text.slice(0, 200)}`;
        }
      }
      return { bytes: text.length, error };
    })
  );
  return {
    coldMs: performance.now() - started,
    bytes: answers.reduce((a, x) => a + x.bytes, 0),
    error: answers.find((a) => a.error)?.error ?? undefined,
  };
}

async function runSide(
  name: string,
  unit: string,
  url: string,
  panels: Array<{ id: number; title: string; requests: HttpRequest[] }>,
  check: (json: any) => string | null,
  load: { connections: number; panelSeconds: number; seconds: number; mixLoads?: number }
): Promise<Side> {
  const side: Side = { name, unit, panels: [], mix: null };
  console.log(`\n${name}: ${panels.length} panels, ${load.connections} connections`);
  for (const p of panels) {
    const cold = await coldRun(url, p.requests, check);
    const figure: PanelFigure = { id: p.id, title: p.title, requests: p.requests.length, ...cold };
    if (!cold.error) {
      // A panel slower than a fraction of the run gets a count of requests instead, so p50/p99 have samples.
      const slow = cold.coldMs > (load.panelSeconds * 1000) / 10;
      const amount = slow ? Math.max(10, 2 * load.connections) : undefined;
      // Long ranges over many series answer slowly: a request counts as failed after 2 minutes, not autocannon's 10 s.
      Object.assign(figure, summary(await cannon(url, p.requests, load.connections, load.panelSeconds, amount, 120)));
      await drained(url).catch(() => undefined);
    }
    side.panels.push(figure);
    process.stderr.write(
      `  ${name}: ${p.id} ${p.title}: ${figure.error ?? `p50 ${figure.p50} ms, p99 ${figure.p99} ms`}\n`
    );
  }
  const mix = panels.filter((p) => !side.panels.find((f) => f.id === p.id)?.error).flatMap((p) => p.requests);
  if (mix.length > 0) {
    // mixLoads: that many whole dashboard loads rather than a duration (queries that take seconds each).
    const amount = load.mixLoads ? load.mixLoads * mix.length : undefined;
    side.mix = summary(await cannon(url, mix, load.connections, load.seconds, amount, 120));
  }
  return side;
}

/** The plugin dashboard's panels against an exporter (embedded history, or the query replica). */
export function runPluginSide(
  name: string,
  url: string,
  nodes: string[],
  o: { range: Range; connections: number; panelSeconds: number; seconds: number }
): Promise<Side> {
  const intervalMs = grafanaIntervalSeconds(o.range.to - o.range.from, o.range.scrapeSeconds) * 1000;
  const panels = pluginPanels(nodes.slice(0, 20)).map((p) => ({
    id: p.id,
    title: p.title,
    requests: [
      {
        method: 'POST' as const,
        path: '/api/v1/query',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          from: o.range.from * 1000,
          to: o.range.to * 1000,
          intervalMs,
          maxDataPoints: 1200,
          queries: p.queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), ...q })),
        }),
      },
    ],
  }));
  const check = (json: any) => {
    const failed = Object.entries(json.results ?? {}).find(([, r]) => (r as { error?: string }).error);
    return json.results ? (failed ? `${failed[0]}: ${(failed[1] as { error: string }).error}` : null) : 'no results';
  };
  return runSide(name, 'panel request', url, panels, check, o);
}

/** The Prometheus dashboard's PromQL, straight to Prometheus, over the range at Grafana's step. */
export function runPromqlSide(url: string, range: Range, connections: number, panelSeconds: number): Promise<Side> {
  const rangeSeconds = range.to - range.from;
  const step = grafanaIntervalSeconds(rangeSeconds, range.scrapeSeconds);
  const toRequests = (p: PromqlPanel): HttpRequest[] =>
    p.queries.map((q) => {
      const params = q.instant
        ? new URLSearchParams({ query: q.expr, time: String(range.to) })
        : new URLSearchParams({ query: q.expr, start: String(range.from), end: String(range.to), step: String(step) });
      return { method: 'GET', path: `/api/v1/${q.instant ? 'query' : 'query_range'}?${params}` };
    });
  const panels = promqlPanels(rangeSeconds, step, range.scrapeSeconds).map((p) => ({
    id: p.id,
    title: p.title,
    requests: toRequests(p),
  }));
  const check = (json: any) => (json.status === 'success' ? null : `${json.errorType}: ${json.error}`);
  const days = (rangeSeconds / 86_400).toFixed(0);
  return runSide(`PromQL on Prometheus, ${days} d, step ${step} s`, 'PromQL query', url, panels, check, {
    connections,
    panelSeconds,
    seconds: panelSeconds * 3,
    mixLoads: 2,
  });
}

/** Per panel, each side's p50/p99 (ms) side by side; then each side's mix. */
export function printFigures(sides: Side[]): void {
  if (sides.length === 0) {
    return;
  }
  const width = 44;
  const cell = (f: PanelFigure | undefined) =>
    !f
      ? ''.padStart(22)
      : f.error
        ? 'ERROR'.padStart(22)
        : f.total === 0
          ? 'all timed out'.padStart(22)
          : `${f.p50} / ${f.p99} (${(f.bytes / 1024).toFixed(0)} KiB)`.padStart(22);
  console.log(
    `\n  ${'panel (p50 / p99 ms, answer size)'.padEnd(width)}${sides.map((s) => s.name.slice(0, 21).padStart(22)).join('')}`
  );
  const ids = [...new Set(sides.flatMap((s) => s.panels.map((p) => p.id)))].sort((a, b) => a - b);
  for (const id of ids) {
    const title = sides.flatMap((s) => s.panels).find((p) => p.id === id)!.title;
    console.log(
      `  ${`${id} ${title}`.slice(0, width - 1).padEnd(width)}${sides.map((s) => cell(s.panels.find((p) => p.id === id))).join('')}`
    );
  }
  for (const s of sides) {
    const m = s.mix;
    console.log(
      `\n  ${s.name} (per ${s.unit}): mix ${m ? `p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.rps.toFixed(0)} req/s, ${m.errors} errors` : 'not run'}`
    );
    for (const p of s.panels.filter((x) => x.error)) {
      console.log(`    ${p.id} ${p.title}: ${p.error}`);
    }
  }
}
