/**
 * One side of the history benchmark: a server answering the dashboard's panels over a range. Every panel once
 * (its first, uncached answer checked and timed), then alone under load (p50/p99), then the whole dashboard mix.
 * The plugin sides (embedded exporter, query replica) take the plugin dashboard's POST /api/v1/query bodies; the
 * PromQL side takes the Prometheus dashboard's queries, one request per target as Grafana sends them.
 */
import { pluginRequests, promqlRequests } from './panels';

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
  /** Uncached answers, the panel's requests in parallel: the median and the slowest of the cold runs. */
  coldMs: number;
  coldMaxMs: number;
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

export interface Load {
  connections: number;
  panelSeconds: number;
  seconds: number;
  /** Uncached runs of each panel before the load (their median and maximum are its cold figures). */
  coldRuns: number;
  /** That many whole dashboard loads for the mix rather than a duration (queries that take seconds each). */
  mixLoads?: number;
}

interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface BenchPanel {
  id: number;
  title: string;
  requests: HttpRequest[];
  /** The same requests, but not answered from a cache (run `n` of the cold runs). */
  uncached: (n: number) => HttpRequest[];
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
    ms: performance.now() - started,
    bytes: answers.reduce((a, x) => a + x.bytes, 0),
    error: answers.find((a) => a.error)?.error ?? undefined,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function runSide(
  name: string,
  unit: string,
  url: string,
  panels: BenchPanel[],
  check: (json: any) => string | null,
  load: Load
): Promise<Side> {
  const side: Side = { name, unit, panels: [], mix: null };
  console.log(`\n${name}: ${panels.length} panels, ${load.connections} connections`);
  for (const p of panels) {
    const cold: Array<Awaited<ReturnType<typeof coldRun>>> = [];
    for (let n = 0; n < Math.max(1, load.coldRuns) && !cold.some((c) => c.error); n++) {
      cold.push(await coldRun(url, p.uncached(n), check));
    }
    const times = cold.map((c) => c.ms);
    const figure: PanelFigure = {
      id: p.id,
      title: p.title,
      requests: p.requests.length,
      bytes: cold[0].bytes,
      coldMs: Math.round(median(times)),
      coldMaxMs: Math.round(Math.max(...times)),
      error: cold.find((c) => c.error)?.error,
    };
    if (!figure.error) {
      // A panel slower than a fraction of the run gets a count of requests instead, so p50/p99 have samples.
      const slow = figure.coldMs > (load.panelSeconds * 1000) / 10;
      const amount = slow ? Math.max(10, 2 * load.connections) : undefined;
      // Long ranges over many series answer slowly: a request counts as failed after 2 minutes, not autocannon's 10 s.
      Object.assign(figure, summary(await cannon(url, p.requests, load.connections, load.panelSeconds, amount, 120)));
      await drained(url).catch(() => undefined);
    }
    side.panels.push(figure);
    process.stderr.write(
      `  ${name}: ${p.id} ${p.title}: ${figure.error ?? `cold ${figure.coldMs} ms (max ${figure.coldMaxMs}), p50 ${figure.p50} ms, p99 ${figure.p99} ms`}\n`
    );
  }
  const mix = panels.filter((p) => !side.panels.find((f) => f.id === p.id)?.error).flatMap((p) => p.requests);
  if (mix.length > 0) {
    const amount = load.mixLoads ? load.mixLoads * mix.length : undefined;
    side.mix = summary(await cannon(url, mix, load.connections, load.seconds, amount, 120));
  }
  return side;
}

/** Run n of the cold runs moves the range's start back by n + 1 ms: another cache key, the same step grid. */
let uncachedRuns = 0;

/**
 * The plugin dashboard's panels and annotations against an exporter (embedded history, or the query replica), with
 * every variable as shipped, or the node variable at `nodes`.
 */
export async function runPluginSide(
  name: string,
  url: string,
  range: Range,
  o: Load & { nodes?: string[] }
): Promise<Side> {
  const ms = { from: range.from * 1000, to: range.to * 1000 };
  const post = (path: string, body: unknown): HttpRequest => ({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const requests = await pluginRequests(ms, o.nodes ? { node: o.nodes } : {});
  const panels: BenchPanel[] = requests.panels.map(({ panel, body }) => ({
    id: panel.id,
    title: panel.title,
    requests: [post('/api/v1/query', body)],
    uncached: () => [post('/api/v1/query', { ...body, from: body.from - ++uncachedRuns })],
  }));
  requests.annotations.forEach((a, i) =>
    panels.push({
      id: 900 + i,
      title: `annotations: ${a.name}`,
      requests: [post('/api/v1/annotations', a.body)],
      uncached: () => [post('/api/v1/annotations', { ...a.body, from: a.body.from - ++uncachedRuns })],
    })
  );
  const check = (json: any) => {
    if (Array.isArray(json.annotations)) {
      return null;
    }
    const failed = Object.entries(json.results ?? {}).find(([, r]) => (r as { error?: string }).error);
    return json.results ? (failed ? `${failed[0]}: ${(failed[1] as { error: string }).error}` : null) : 'no results';
  };
  return runSide(name, 'panel request', url, panels, check, o);
}

/** The Prometheus dashboard's PromQL, straight to Prometheus, over the range at each panel's step as Grafana sends it. */
export function runPromqlSide(url: string, range: Range, o: Load): Promise<Side> {
  const requests = promqlRequests({ from: range.from * 1000, to: range.to * 1000 }, range.scrapeSeconds * 1000);
  const panels = requests.map(({ panel, targets }) => {
    const http = targets.map(({ path, params }): HttpRequest => ({ method: 'GET', path: `${path}?${params}` }));
    return { id: panel.id, title: panel.title, requests: http, uncached: () => http };
  });
  const check = (json: any) => (json.status === 'success' ? null : `${json.errorType}: ${json.error}`);
  const days = ((range.to - range.from) / 86_400).toFixed(0);
  return runSide(`PromQL on Prometheus, ${days} d`, 'PromQL query', url, panels, check, {
    ...o,
    seconds: o.panelSeconds * 3,
    mixLoads: 2,
  });
}

/**
 * Per panel, each side's figures side by side: the uncached answer (median of the cold runs), then p50 / p99 under
 * load (ms), and the answer's size. Then each side's mix.
 */
export function printFigures(sides: Side[]): void {
  if (sides.length === 0) {
    return;
  }
  const width = 46;
  const w = 32;
  const cell = (f: PanelFigure | undefined) =>
    (!f
      ? ''
      : f.error
        ? 'ERROR'
        : f.total === 0
          ? 'all timed out'
          : `${f.coldMs} | ${f.p50} / ${f.p99} (${(f.bytes / 1024).toFixed(0)} KiB)`
    ).padStart(w);
  console.log(
    `\n  ${'panel (cold | p50 / p99 ms, answer size)'.padEnd(width)}${sides.map((s) => s.name.slice(0, w - 1).padStart(w)).join('')}`
  );
  const ids = [...new Set(sides.flatMap((s) => s.panels.map((p) => p.id)))].sort((a, b) => a - b);
  for (const id of ids) {
    const p = sides.flatMap((s) => s.panels).find((x) => x.id === id)!;
    const title = `${id < 900 ? id : ''} ${p.title}`;
    console.log(
      `  ${title.slice(0, width - 1).padEnd(width)}${sides.map((s) => cell(s.panels.find((x) => x.id === id))).join('')}`
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
