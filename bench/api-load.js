#!/usr/bin/env node
/**
 * The query API under load: autocannon against POST /api/v1/query of an exporter holding an hour of history of a
 * 1,000-node cluster and still scraping (bench/scale/api-server.js, its own process; the simulator in a third).
 *
 * Requests are the panels of the shipped dashboard (dashboards/cilium-scope.json) as Grafana sends them with every
 * variable at All over the last hour: endpoints per node, packet flow, drops by reason, regeneration latency,
 * policy, the agent health table, top nodes by drops. Each panel is run alone (time of its first, uncached
 * request, p50/p99, requests/s, response size), then the dashboard mix at --connections for --seconds while the
 * exporter keeps scraping every --scrape-every ms, against the baseline of GET /healthz on the same server. Prints
 * the machine, the figures and whether p99 of the mix is under 50 ms.
 *
 * Usage: npm run build:exporter && node bench/api-load.js [--quick] [--nodes 1000] [--connections 50]
 *        [--seconds 60] [--scrape-every 30000] [--page-kb 20] [--json FILE]
 *        [--build DIR]   (the exporter of another build, e.g. a baseline: its build/ directory)
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { parseArgs } = require('node:util');
const { cannon, drained, summary } = require('./scale/cannon');
const { startApiServer } = require('./scale/processes');
const { cpuSeconds, memory, machine } = require('./scale/proc');

const ROOT = path.resolve(__dirname, '..');
const P99_GOAL_MS = 50;

/** The dashboard's panels with every variable at All (the plugin sends no filter for All), each run alone. */
const PANELS = [
  ['endpoints per node, all', { queryType: 'endpoints', groupBy: 'node' }],
  ['endpoints per node, 20', { queryType: 'endpoints', groupBy: 'node', node: 'TWENTY' }],
  ['endpoints (cluster)', { queryType: 'endpoints' }],
  ['packet flow ingress', { queryType: 'packetFlow', direction: 'INGRESS' }],
  ['packet flow egress', { queryType: 'packetFlow', direction: 'EGRESS' }],
  ['drops by reason', { queryType: 'drops' }],
  ['regeneration latency', { queryType: 'regeneration', view: 'latency', quantiles: [0.5, 0.9, 0.99] }],
  ['policy revision', { queryType: 'policy', view: 'revision' }],
  ['policy enforcement', { queryType: 'policy', view: 'enforcement' }],
  ['agent health table', { queryType: 'agentHealth', view: 'status' }],
  ['targets up', { queryType: 'agentHealth', view: 'up' }],
  ['top nodes by drops', { queryType: 'drops', view: 'topNodes', limit: 10 }],
];

/**
 * The mix: a dashboard's panels over the whole cluster, with the per-node endpoints panel narrowed to 20 nodes.
 * Over all 1,000 nodes that panel is 5,000 series and ~12 MB of JSON per request: it is measured alone above, and
 * no dashboard draws it usefully, so the mix does not let it stand for "a dashboard".
 */
const MIX = [
  'endpoints per node, 20',
  'packet flow ingress',
  'packet flow egress',
  'drops by reason',
  'regeneration latency',
  'policy revision',
  'policy enforcement',
  'agent health table',
  'targets up',
  'top nodes by drops',
];

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      nodes: { type: 'string' },
      connections: { type: 'string', default: '50' },
      seconds: { type: 'string' },
      'page-kb': { type: 'string', default: '20' },
      'scrape-every': { type: 'string', default: '30000' },
      build: { type: 'string' },
      json: { type: 'string' },
    },
  });
  return {
    nodes: Number(values.nodes ?? 1000),
    connections: Number(values.connections),
    seconds: Number(values.seconds ?? (values.quick ? 15 : 60)),
    panelSeconds: values.quick ? 2 : 5,
    pageKB: Number(values['page-kb']),
    backfill: 121,
    scrapeEvery: Number(values['scrape-every']),
    build: values.build ?? null,
    json: values.json ?? null,
  };
}

let twenty = [];

function body(nowMs, queries) {
  queries = queries.map((q) => (q.node === 'TWENTY' ? { ...q, node: twenty } : q));
  return JSON.stringify({
    from: nowMs - 3_600_000,
    to: nowMs,
    intervalMs: 30_000,
    maxDataPoints: 1200,
    queries: queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), ...q })),
  });
}

async function main() {
  const o = options();
  for (const file of ['build/exporter/app.js', 'build/simulator/cli.js']) {
    if (!fs.existsSync(path.join(ROOT, file))) {
      console.error(`${file} is missing: run \`npm run build:exporter\` first`);
      process.exit(1);
    }
  }
  const m = machine();
  console.log(`API load: ${o.nodes} nodes, 1 h of history at 30 s, ${o.connections} connections`);
  const server = await startApiServer(o);
  const results = {
    machine: m,
    nodes: o.nodes,
    connections: o.connections,
    scrapeEverySeconds: o.scrapeEvery / 1000,
    historySeries: server.series,
    panels: [],
    mix: null,
  };
  try {
    const url = server.url;
    twenty = server.nodes.slice(0, 20);
    const headers = { 'content-type': 'application/json' };
    // Correctness first: every panel answers 200 with frames and no error.
    for (const [name, q] of PANELS) {
      const started = performance.now();
      const res = await fetch(`${url}/api/v1/query`, { method: 'POST', headers, body: body(server.nowMs, [q]) });
      const text = await res.text();
      const ms = performance.now() - started;
      const json = JSON.parse(text);
      const r = json.results?.A;
      if (res.status !== 200 || !r || r.error) {
        throw new Error(`${name}: HTTP ${res.status} ${text.slice(0, 300)}`);
      }
      results.panels.push({ name, frames: r.frames.length, bytes: text.length, coldMs: ms });
    }
    const floor = await cannon(url + '/healthz', [{ method: 'GET' }], o.connections, o.panelSeconds);
    results.healthz = summary(floor);
    const cpu0 = cpuSeconds(server.pid);
    for (const p of results.panels) {
      const q = PANELS.find(([n]) => n === p.name)[1];
      const r = await cannon(
        `${url}/api/v1/query`,
        [{ method: 'POST', headers, body: body(server.nowMs, [q]) }],
        o.connections,
        o.panelSeconds
      );
      Object.assign(p, summary(r));
      await drained(url);
    }
    const mixRequests = MIX.map((name) => PANELS.find(([n]) => n === name)[1]).map((q) => ({
      method: 'POST',
      path: '/api/v1/query',
      headers,
      body: body(server.nowMs, [q]),
    }));
    const t0 = Date.now();
    const c0 = cpuSeconds(server.pid);
    const mix = await cannon(url, mixRequests, o.connections, o.seconds);
    results.mix = { ...summary(mix), serverCpuPerSecond: (cpuSeconds(server.pid) - c0) / ((Date.now() - t0) / 1000) };
    results.serverCpuSeconds = cpuSeconds(server.pid) - cpu0;
    results.serverPeakRssMiB = memory(server.pid).peakMiB;
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
  }
  print(results);
  if (o.json) {
    fs.writeFileSync(o.json, JSON.stringify(results, null, 2));
  }
}

function print(r) {
  const m = r.machine;
  console.log(`\nmachine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.os}`);
  console.log(
    `exporter (own process) with ${r.nodes} nodes, ${r.historySeries} history series, scraping every ${r.scrapeEverySeconds} s; ` +
      `autocannon here, ${r.connections} connections; the simulator in a third process; the cores are shared`
  );
  const cols = ['frames', 'KiB', 'cold ms', 'p50 ms', 'p99 ms', 'req/s', 'errors'];
  console.log(`\n  ${'request'.padEnd(26)}${cols.map((c) => c.padStart(9)).join('')}`);
  const row = (name, x, extra = ['', '', '']) => {
    const cells = [...extra, x.p50, x.p99, x.rps.toFixed(0), x.errors].map((c) => String(c).padStart(9));
    console.log(`  ${name.padEnd(26)}${cells.join('')}`);
  };
  row('GET /healthz (baseline)', r.healthz);
  for (const p of r.panels) {
    row(p.name, p, [p.frames, (p.bytes / 1024).toFixed(0), p.coldMs.toFixed(0)]);
  }
  row(`dashboard mix (${MIX.length})`, r.mix);
  console.log(
    `\n  mix: p99 ${r.mix.p99} ms (goal < ${P99_GOAL_MS} ms: ${r.mix.p99 < P99_GOAL_MS ? 'met' : 'MISSED'}), ${r.mix.rps.toFixed(0)} req/s = ${(r.mix.rps / r.healthz.rps).toFixed(3)}× /healthz, ` +
      `server CPU ${r.mix.serverCpuPerSecond.toFixed(2)} s/s, peak RSS ${r.serverPeakRssMiB?.toFixed(0)} MiB`
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
