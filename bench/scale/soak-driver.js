/**
 * A soak run, shared by bench/soak.js (an hour by hand) and test/integration/soak.test.ts (two minutes in CI):
 * a simulated cluster and an exporter in this process on the simulator's clock, scrape cycles back to back, faults
 * moving over 10% of the agents every few cycles (every kind the simulator has, the operator too), dashboard
 * queries and /metrics scrapes in between, and the process's memory sampled after a full GC.
 *
 * The caller passes startSimulator and startExporter (the TypeScript sources under jest, build/ from a script).
 */
'use strict';

const v8 = require('node:v8');
const vm = require('node:vm');

const FAULTS = [
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
const PANELS = [
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

/** A full GC on demand, also without --expose-gc. */
function collector() {
  if (typeof global.gc === 'function') {
    return global.gc;
  }
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}

/** A small deterministic generator, so a run can be repeated with its seed. */
function random(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

async function soak(o) {
  const { startSimulator, startExporter } = o;
  const durationMs = o.durationMs;
  const rand = random(o.seed ?? 1);
  const gc = collector();
  const sim = await startSimulator({ nodes: o.nodes ?? 50, seed: o.seed ?? 1, autoTickMs: 0, pageKB: o.pageKB ?? 40 });
  const intervalMs = sim.cluster.tickSeconds * 1000;
  const exporter = await startExporter(
    {
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      operator: { node: '', url: sim.operatorUrl },
      listen: { host: '127.0.0.1', port: 0 },
      scrapeIntervalMs: intervalMs,
      scrapeTimeoutMs: 250,
      maxConcurrency: 16,
      maxBodyBytes: 1024 * 1024,
      staleAfterMs: 3 * intervalMs,
      token: null,
      protectMetrics: false,
      logLevel: 'silent',
      nonPodEndpoints: 2,
      // A short ring, so it wraps and forgets dead series many times during the run.
      history: {
        retentionMs: o.historyPoints ? o.historyPoints * intervalMs : 40 * intervalMs,
        maxBytes: 64 * 1024 * 1024,
      },
      tls: { ca: null, cert: null, key: null, insecureSkipVerify: false },
      shard: null,
    },
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
  const result = {
    cycles: 0,
    samples: [],
    failures: {},
    apiRequests: 0,
    apiErrors: [],
    maxApiMs: 0,
    maxCycleMs: 0,
    faultChanges: 0,
  };
  const faulted = new Set();
  const started = Date.now();
  const sample = () => {
    gc();
    const m = process.memoryUsage();
    const h = exporter.history.stats();
    result.samples.push({
      cycle: result.cycles,
      seconds: (Date.now() - started) / 1000,
      heapUsed: m.heapUsed,
      rss: m.rss,
      external: m.external,
      historySeries: h.series,
      historyBytes: h.bytes,
    });
  };
  const api = async (path, body) => {
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
    while (Date.now() - started < durationMs) {
      if (result.cycles % (o.faultEvery ?? 5) === 0) {
        // Move the faults: clear the previous ones, put a random kind on a fresh 10% of the agents.
        for (const node of faulted) {
          sim.setFault(node, 'none');
        }
        faulted.clear();
        const count = Math.max(1, Math.round(sim.nodes.length / 10));
        while (faulted.size < count) {
          faulted.add(sim.nodes[Math.floor(rand() * sim.nodes.length)]);
        }
        for (const node of faulted) {
          sim.setFault(node, FAULTS[Math.floor(rand() * FAULTS.length)]);
        }
        sim.setOperatorFault(rand() < 0.3 ? 'down' : 'none');
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
        sample();
        o.onSample?.(result.samples.at(-1), result);
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
function analyse(samples, warmupFraction = 0.3) {
  const window = samples.slice(Math.floor(samples.length * warmupFraction));
  const slope = (key) => {
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
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const third = Math.max(1, Math.floor(window.length / 3));
  const first = window.slice(0, third);
  const last = window.slice(-third);
  const growth = (key) => median(last.map((s) => s[key])) - median(first.map((s) => s[key]));
  return {
    samples: window.length,
    cycles: window.length ? window.at(-1).cycle - window[0].cycle : 0,
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

function format(result, a) {
  const mib = (b) => `${(b / 1024 ** 2).toFixed(1)} MiB`;
  return [
    `cycles ${result.cycles}, fault moves ${result.faultChanges}, API requests ${result.apiRequests} (errors ${result.apiErrors.length}, slowest ${result.maxApiMs} ms), slowest cycle ${result.maxCycleMs} ms`,
    `failed scrapes seen by kind: ${JSON.stringify(result.failures)}`,
    `after warm-up (${a.samples} samples over ${a.cycles} cycles):`,
    `  heapUsed ${mib(a.heapStart)} → ${mib(a.heapEnd)} (growth ${mib(a.heapGrowth)}, slope ${mib(a.heapSlopePer1000Cycles)} per 1,000 cycles)`,
    `  RSS      ${mib(a.rssStart)} → ${mib(a.rssEnd)} (growth ${mib(a.rssGrowth)}, slope ${mib(a.rssSlopePer1000Cycles)} per 1,000 cycles)`,
    `  history series at most ${a.historySeriesMax}`,
  ].join('\n');
}

module.exports = { soak, analyse, format, FAULTS };
