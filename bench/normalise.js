#!/usr/bin/env node
/**
 * Cost of the Cilium normaliser on top of the parser, per agent page, in one run:
 *   parse      parseText with the agent family filter and an empty sample callback (the baseline)
 *   normalise  normaliseAgentPage: the same parse feeding AgentNormaliser, then finish()
 *   replay     AgentNormaliser alone: the page's kept samples, parsed once beforehand, fed to accept(), then finish()
 * on the real pages in test/fixtures/pages and on a ~300 KB page of a busy current (1.18-style) agent: the 1.11 page
 * plus many drop reasons, endpoint states, map-pressure series, regeneration histograms with failures, and unkept
 * families as filler. Prints ms per page, the normaliser's overhead over the parse, and the share of one core that
 * 1,000 such pages every 30 s would take.
 *
 * Usage: npm run build:exporter && node bench/normalise.js [--quick]
 */
'use strict';

const fs = require('node:fs');
const { describeMachine } = require('./scale/proc');
const path = require('node:path');

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 9;
const RUN_MS = quick ? 60 : 250;
const WARMUP_MS = quick ? 150 : 1000;

const root = path.resolve(__dirname, '..');
const build = path.join(root, 'build', 'exporter');
if (!fs.existsSync(path.join(build, 'cilium', 'normalise.js'))) {
  console.error(`${build}/cilium/normalise.js is missing: run \`npm run build:exporter\` first`);
  process.exit(1);
}
const { parseText } = require(path.join(build, 'scrape', 'textparse.js'));
const { keepAgentFamily } = require(path.join(build, 'cilium', 'catalogue.js'));
const { AgentNormaliser, normaliseAgentPage } = require(path.join(build, 'cilium', 'normalise.js'));

const fixtures = path.join(root, 'test', 'fixtures', 'pages');
const files = ['agent-1.9.10.prom', 'agent-1.11.0.prom'];
const pages = files.map((f) => ({ name: f, body: fs.readFileSync(path.join(fixtures, f)) }));

function busyAgentPage(base) {
  const lines = [base.toString('utf8')];
  const reasons = [
    'Policy denied',
    'Policy denied by denylist',
    'Stale or unroutable IP',
    'Unsupported L3 protocol',
    'Unsupported L2 protocol',
    'CT: Map insertion failed',
    'Service backend not found',
    'FIB lookup failed',
    'No mapping for NAT masquerade',
    'Invalid source ip',
    'Missed tail call',
    'Fragmentation needed',
  ];
  const directions = ['INGRESS', 'EGRESS', 'SERVICE', 'UNKNOWN'];
  for (const family of ['cilium_drop_count_total', 'cilium_drop_bytes_total']) {
    lines.push(`# TYPE ${family} counter`);
    for (const d of directions) {
      for (const r of reasons) {
        lines.push(`${family}{direction="${d}",reason="${r}"} 12345`);
      }
    }
  }
  lines.push('# TYPE cilium_policy_change_total counter');
  lines.push('cilium_policy_change_total{outcome="success"} 400', 'cilium_policy_change_total{outcome="failure"} 3');
  lines.push('# TYPE cilium_identity gauge');
  for (const t of ['cluster_local', 'node_local', 'reserved', 'global']) {
    lines.push(`cilium_identity{type="${t}"} 40`);
  }
  lines.push('# TYPE cilium_bpf_map_pressure gauge');
  for (let i = 0; i < 40; i++) {
    lines.push(`cilium_bpf_map_pressure{map_name="cilium_policy_v2_${i}"} 0.2`);
  }
  const le = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
  const regen = 'cilium_endpoint_regeneration_time_stats_seconds';
  lines.push(`# TYPE ${regen} histogram`);
  const scopes = ['total', 'waitingForLock', 'policyCalculation', 'proxyConfiguration', 'bpfCompilation', 'mapSync'];
  for (const scope of scopes) {
    for (const status of ['success', 'failure']) {
      le.forEach((b, i) => lines.push(`${regen}_bucket{scope="${scope}",status="${status}",le="${b}"} ${i * 10}`));
      lines.push(
        `${regen}_sum{scope="${scope}",status="${status}"} 12.5`,
        `${regen}_count{scope="${scope}",status="${status}"} 110`
      );
    }
  }
  // Filler: families the exporter does not read, as large agents carry them (API latency per path and method).
  const filler = 'cilium_k8s_client_api_latency_time_seconds';
  lines.push(`# TYPE ${filler} histogram`);
  let size = lines.reduce((n, l) => n + l.length + 1, 0);
  for (let p = 0; size < 300_000; p++) {
    for (const b of le) {
      const line = `${filler}_bucket{method="GET",path="/apis/cilium.io/v2/namespaces/{namespace}/ciliumendpoints/${p}",le="${b}"} 42`;
      lines.push(line);
      size += line.length + 1;
    }
  }
  return Buffer.from(lines.join('\n') + '\n');
}
pages.push({ name: 'busy 1.18-style agent', body: busyAgentPage(pages[1].body) });

let sink = 0;
const noop = (name, labels, value) => {
  sink += value === value ? 1 : 0;
};
const methods = {
  parse: (body) => {
    sink += parseText(body, noop, { keepFamily: keepAgentFamily }).keptSamples;
  },
  normalise: (body) => {
    sink += normaliseAgentPage(body).dropped.length;
  },
};

/** Median milliseconds per page over RUNS timed runs of about RUN_MS each. */
function measure(fn, body) {
  const warmEnd = performance.now() + WARMUP_MS;
  let perRun = 0;
  while (performance.now() < warmEnd) {
    fn(body);
    perRun++;
  }
  const iterations = Math.max(1, Math.round((perRun * RUN_MS) / WARMUP_MS));
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      fn(body);
    }
    times.push(Number(process.hrtime.bigint() - t0) / 1e6 / iterations);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

console.log(`machine: ${describeMachine()}`);
console.log(
  `mode: ${quick ? 'quick' : 'full'} (median of ${RUNS} runs of ~${RUN_MS} ms after ${WARMUP_MS} ms warm-up)`
);
console.log('');

const header = [
  'page',
  'KB',
  'kept samples',
  'parse ms',
  'normalise ms',
  'replay ms',
  'normalise/parse',
  'replay/parse',
  '1000 pages/30 s',
];
const rows = [header];
for (const page of pages) {
  const kept = parseText(page.body, noop, { keepFamily: keepAgentFamily }).keptSamples;
  const parse = measure(methods.parse, page.body);
  const normalise = measure(methods.normalise, page.body);
  const samples = [];
  parseText(page.body, (name, labels, value) => samples.push([name, labels, value]), { keepFamily: keepAgentFamily });
  const replay = measure(() => {
    const normaliser = new AgentNormaliser();
    for (const [name, labels, value] of samples) {
      normaliser.accept(name, labels, value);
    }
    sink += normaliser.finish().dropped.length;
  }, page.body);
  rows.push([
    page.name,
    (page.body.length / 1000).toFixed(0),
    String(kept),
    parse.toFixed(3),
    normalise.toFixed(3),
    replay.toFixed(3),
    `${(normalise / parse).toFixed(2)}x`,
    `${(replay / parse).toFixed(2)}x`,
    `${((100 * normalise * 1000) / 30_000).toFixed(1)}% of a core`,
  ]);
}
const widths = header.map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
for (const row of rows) {
  console.log(
    row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ')
  );
}
if (sink === 0.5) {
  console.log('');
}
