/**
 * A soak run, shared by bench/soak.ts (an hour by hand) and test/integration/soak.test.ts (two minutes in CI):
 * a simulated cluster and an exporter in this process on the simulator's clock, scrape cycles back to back, faults
 * moving over 10% of the agents every few cycles (every kind the simulator has, the operator too), dashboard
 * queries and /metrics scrapes in between, and the process's memory sampled after a full GC.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ScopeQuery } from '../../src/contract';
import { startExporter } from '../../exporter/app';
import { type Fault, startSimulator } from '../../simulator';
import { Prng } from '../../simulator/prng';
import { testConfig } from './config';

export const FAULTS: readonly Fault[] = [
  'down',
  'http500',
  { kind: 'slow', delayMs: 400 },
  'hang',
  'malformed',
  'truncated',
  'gzipCorrupt',
  { kind: 'oversized', sizeMB: 2 },
  'flapping',
  'restart',
];
const PANELS: ReadonlyArray<Omit<ScopeQuery, 'refId'>> = [
  { queryType: 'endpoints', groupBy: 'node' },
  { queryType: 'podEndpointDelta' },
  { queryType: 'packetFlow' },
  { queryType: 'drops' },
  { queryType: 'drops', view: 'topNodes' },
  { queryType: 'regeneration', view: 'latency' },
  { queryType: 'policy', view: 'revision' },
  { queryType: 'agentHealth' },
  { queryType: 'agentHealth', view: 'up' },
  { queryType: 'anomaly', view: 'bands' },
];

export interface SoakOptions {
  durationMs: number;
  nodes?: number;
  pageKB?: number;
  /** Seeds the simulated cluster and where the faults go, so that a run can be repeated. */
  seed?: number;
  /** History retention in scrape intervals (40 by default: the ring wraps many times). */
  historyPoints?: number;
  faultEvery?: number;
  queryEvery?: number;
  sampleEvery?: number;
  /** Called after each memory sample but the last. */
  onSample?: (sample: SoakSample, result: SoakResult) => void;
}

export interface SoakSample {
  cycle: number;
  /** Wall-clock seconds since the start of the run. */
  seconds: number;
  heapUsed: number;
  rss: number;
  external: number;
  historySeries: number;
  historyBytes: number;
}

export interface SoakResult {
  cycles: number;
  samples: SoakSample[];
  /** Failed scrapes seen at the end of each cycle, by error kind. */
  failures: Record<string, number>;
  apiRequests: number;
  apiErrors: string[];
  maxApiMs: number;
  maxCycleMs: number;
  faultChanges: number;
}

export interface SoakAnalysis {
  samples: number;
  cycles: number;
  heapStart: number;
  heapEnd: number;
  heapGrowth: number;
  heapSlopePer1000Cycles: number;
  rssStart: number;
  rssEnd: number;
  rssGrowth: number;
  rssSlopePer1000Cycles: number;
  historySeriesMax: number;
}

/** A full GC on demand, also without --expose-gc. */
function collector(): () => void {
  if (typeof globalThis.gc === 'function') {
    return globalThis.gc;
  }
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export async function soak(o: SoakOptions): Promise<SoakResult> {
  const rng = new Prng(o.seed ?? 1);
  const gc = collector();
  const sim = await startSimulator({ nodes: o.nodes ?? 50, seed: o.seed ?? 1, autoTickMs: 0, pageKB: o.pageKB ?? 40 });
  const intervalMs = sim.cluster.tickSeconds * 1000;
  const exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      operator: { node: '', url: sim.operatorUrl },
      scrapeIntervalMs: intervalMs,
      scrapeTimeoutMs: 250,
      maxConcurrency: 16,
      maxBodyBytes: 1024 * 1024,
      staleAfterMs: 3 * intervalMs,
      // A short ring, so it wraps and forgets dead series many times during the run.
      history: {
        retentionMs: o.historyPoints ? o.historyPoints * intervalMs : 40 * intervalMs,
        maxBytes: 64 * 1024 * 1024,
      },
    }),
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
  // The embedded ring: testConfig leaves the history backend at its default.
  const history = exporter.history!;
  const result: SoakResult = {
    cycles: 0,
    samples: [],
    failures: {},
    apiRequests: 0,
    apiErrors: [],
    maxApiMs: 0,
    maxCycleMs: 0,
    faultChanges: 0,
  };
  const faulted = new Set<string>();
  const started = Date.now();
  const sample = (): SoakSample => {
    gc();
    const m = process.memoryUsage();
    const h = history.stats();
    const s = {
      cycle: result.cycles,
      seconds: (Date.now() - started) / 1000,
      heapUsed: m.heapUsed,
      rss: m.rss,
      external: m.external,
      historySeries: h.series,
      historyBytes: h.bytes,
    };
    result.samples.push(s);
    return s;
  };
  const api = async (path: string, body?: object): Promise<void> => {
    const t = Date.now();
    const res = await fetch(exporter.url + path, {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const ms = Date.now() - t;
    result.apiRequests++;
    result.maxApiMs = Math.max(result.maxApiMs, ms);
    if (res.status !== 200 || (body && /"status":5\d\d/.test(text))) {
      result.apiErrors.push(`${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    }
  };
  try {
    while (Date.now() - started < o.durationMs) {
      if (result.cycles % (o.faultEvery ?? 5) === 0) {
        // Move the faults: clear the previous ones, put a random kind on a fresh 10% of the agents.
        for (const node of faulted) {
          sim.setFault(node, 'none');
        }
        faulted.clear();
        const count = Math.max(1, Math.round(sim.nodes.length / 10));
        while (faulted.size < count) {
          faulted.add(rng.pick(sim.nodes));
        }
        for (const node of faulted) {
          sim.setFault(node, rng.pick(FAULTS));
        }
        sim.setOperatorFault(rng.chance(0.3) ? 'down' : 'none');
        result.faultChanges++;
      }
      sim.tick();
      const t = Date.now();
      const stats = await exporter.scrapeNow();
      result.maxCycleMs = Math.max(result.maxCycleMs, Date.now() - t);
      result.cycles++;
      for (const n of exporter.model.nodes()) {
        if (!n.agent.up && n.agent.errorKind) {
          result.failures[n.agent.errorKind] = (result.failures[n.agent.errorKind] ?? 0) + 1;
        }
      }
      if (stats.targets !== sim.nodes.length + 1) {
        result.apiErrors.push(`cycle ${result.cycles}: ${stats.targets} targets`);
      }
      if (result.cycles % (o.queryEvery ?? 3) === 0) {
        const to = sim.cluster.nowSeconds * 1000;
        await api('/api/v1/query', {
          from: to - 3_600_000,
          to,
          maxDataPoints: 500,
          queries: PANELS.map((q, i) => ({ refId: `P${i}`, ...q })),
        });
        await api('/metrics');
        await api('/api/v1/nodes');
      }
      if (result.cycles % (o.sampleEvery ?? 10) === 0) {
        const s = sample();
        o.onSample?.(s, result);
      }
    }
    sample();
  } finally {
    for (const node of faulted) {
      sim.setFault(node, 'none');
    }
    await exporter.close();
    await sim.close();
  }
  return result;
}

/**
 * Memory after warm-up: least-squares slope of heapUsed and RSS over the samples after `warmupFraction` of the
 * run, per 1,000 cycles, and the growth from the first to the last third of that window (medians).
 */
export function analyse(samples: readonly SoakSample[], warmupFraction = 0.3): SoakAnalysis {
  const window = samples.slice(Math.floor(samples.length * warmupFraction));
  const slope = (key: 'heapUsed' | 'rss'): number => {
    const n = window.length;
    const mx = window.reduce((a, s) => a + s.cycle, 0) / n;
    const my = window.reduce((a, s) => a + s[key], 0) / n;
    let num = 0;
    let den = 0;
    for (const s of window) {
      num += (s.cycle - mx) * (s[key] - my);
      den += (s.cycle - mx) ** 2;
    }
    return den === 0 ? 0 : (num / den) * 1000;
  };
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const third = Math.max(1, Math.floor(window.length / 3));
  const first = window.slice(0, third);
  const last = window.slice(-third);
  const growth = (key: 'heapUsed' | 'rss'): number =>
    median(last.map((s) => s[key])) - median(first.map((s) => s[key]));
  return {
    samples: window.length,
    cycles: window.length ? window[window.length - 1].cycle - window[0].cycle : 0,
    heapStart: median(first.map((s) => s.heapUsed)),
    heapEnd: median(last.map((s) => s.heapUsed)),
    heapGrowth: growth('heapUsed'),
    heapSlopePer1000Cycles: slope('heapUsed'),
    rssStart: median(first.map((s) => s.rss)),
    rssEnd: median(last.map((s) => s.rss)),
    rssGrowth: growth('rss'),
    rssSlopePer1000Cycles: slope('rss'),
    historySeriesMax: Math.max(...window.map((s) => s.historySeries)),
  };
}

export function format(result: SoakResult, a: SoakAnalysis): string {
  const mib = (b: number): string => `${(b / 1024 ** 2).toFixed(1)} MiB`;
  return [
    `cycles ${result.cycles}, fault moves ${result.faultChanges}, API requests ${result.apiRequests} (errors ${result.apiErrors.length}, slowest ${result.maxApiMs} ms), slowest cycle ${result.maxCycleMs} ms`,
    `failed scrapes seen by kind: ${JSON.stringify(result.failures)}`,
    `after warm-up (${a.samples} samples over ${a.cycles} cycles):`,
    `  heapUsed ${mib(a.heapStart)} → ${mib(a.heapEnd)} (growth ${mib(a.heapGrowth)}, slope ${mib(a.heapSlopePer1000Cycles)} per 1,000 cycles)`,
    `  RSS      ${mib(a.rssStart)} → ${mib(a.rssEnd)} (growth ${mib(a.rssGrowth)}, slope ${mib(a.rssSlopePer1000Cycles)} per 1,000 cycles)`,
    `  history series at most ${a.historySeriesMax}`,
  ].join('\n');
}
