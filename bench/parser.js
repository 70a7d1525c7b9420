#!/usr/bin/env node
/**
 * Text-format parser throughput on the real Cilium pages in test/fixtures/pages, in one run and side by side:
 *   newline scan   Buffer.indexOf(0x0a) over the same bytes (the upper limit of any line parser)
 *   pptf           parse-prometheus-text-format (takes a string: the UTF-8 decode of the page is included)
 *   full           our TextParser keeping every family
 *   full/16K       the same, fed in 16 KiB chunks as an HTTP body arrives
 *   skip           our TextParser keeping a typical exporter set of families (the rest skipped undecoded)
 *   catalogue      the same with the families the exporter's normaliser keeps (exporter/cilium/catalogue), when built
 * plus the ratios. The "all 3" page is the three pages concatenated as they are (families repeat, which the format
 * allows and operator-stacked.prom already does).
 *
 * Usage: npm run build:exporter && node bench/parser.js [--quick]
 */
'use strict';

const fs = require('node:fs');
const { describeMachine } = require('./scale/proc');
const path = require('node:path');

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 11;
const RUN_MS = quick ? 40 : 150;
const WARMUP_MS = quick ? 200 : 1500;

const root = path.resolve(__dirname, '..');
const parserPath = path.join(root, 'build', 'exporter', 'scrape', 'textparse.js');
if (!fs.existsSync(parserPath)) {
  console.error(`${parserPath} is missing: run \`npm run build:exporter\` first`);
  process.exit(1);
}
const { parseText, TextParser } = require(parserPath);
const pptf = require('parse-prometheus-text-format');

const fixtures = path.join(root, 'test', 'fixtures', 'pages');
const files = ['agent-1.9.10.prom', 'agent-1.11.0.prom', 'operator-stacked.prom'];
const pages = files.map((f) => ({ name: f, body: fs.readFileSync(path.join(fixtures, f)) }));
pages.push({ name: 'all 3 concatenated', body: Buffer.concat(pages.map((p) => p.body)) });

// parse-prometheus-text-format rejects `# HELP name` without text (3 such lines in operator-stacked.prom, valid for
// Prometheus): it is timed on a copy where those lines read `# HELP name -` (marked * in the table).
for (const page of pages) {
  try {
    pptf(page.body.toString('utf8'));
  } catch {
    page.pptfBody = Buffer.from(page.body.toString('utf8').replace(/^(# HELP \S+)$/gm, '$1 -'));
    pptf(page.pptfBody.toString('utf8'));
  }
}

const KEPT_PREFIXES = [
  'cilium_endpoint',
  'cilium_drop_',
  'cilium_forward_',
  'cilium_policy',
  'cilium_version',
  'cilium_identity',
  'cilium_unreachable_',
  'cilium_controllers_failing',
  'cilium_bpf_map_pressure',
  'cilium_ip_addresses',
  'cilium_process_start_time_seconds',
];
const keepFamily = (name) => KEPT_PREFIXES.some((p) => name.startsWith(p));

// The normaliser's own choice of families: agent families on agent pages, operator families on the operator page.
let catalogue;
try {
  catalogue = require(path.join(root, 'build', 'exporter', 'cilium', 'catalogue.js'));
} catch {
  catalogue = undefined;
}
const keepCatalogue =
  catalogue && catalogue.keepAgentFamily && catalogue.keepOperatorFamily
    ? (name) => catalogue.keepAgentFamily(name) || catalogue.keepOperatorFamily(name)
    : undefined;

let sink = 0;
const onSample = (name, labels, value) => {
  sink += value === value ? 1 : 0;
};

const methods = {
  newline: (body) => {
    let n = 0;
    let i = -1;
    while ((i = body.indexOf(0x0a, i + 1)) !== -1) {
      n++;
    }
    sink += n;
  },
  pptf: (body, page) => {
    sink += pptf((page.pptfBody || body).toString('utf8')).length;
  },
  full: (body) => {
    sink += parseText(body, onSample).keptSamples;
  },
  'full/16K': (body) => {
    const parser = new TextParser(onSample);
    for (let i = 0; i < body.length; i += 16384) {
      parser.write(body.subarray(i, i + 16384));
    }
    sink += parser.end().keptSamples;
  },
  skip: (body) => {
    sink += parseText(body, onSample, { keepFamily }).keptSamples;
  },
};
if (keepCatalogue) {
  methods.catalogue = (body) => {
    sink += parseText(body, onSample, { keepFamily: keepCatalogue }).keptSamples;
  };
}

function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** MB per CPU-second of `fn(page)` run repeatedly for about `ms` milliseconds of CPU time. */
function rate(fn, page, ms) {
  const t0 = cpuSeconds();
  let n = 0;
  let spent = 0;
  do {
    fn(page.body, page);
    n++;
    spent = cpuSeconds() - t0;
  } while (spent < ms / 1000);
  return (page.body.length * n) / spent / 1e6;
}

/**
 * Median MB/s of each method on a page. The methods take turns, round after round, so that a change in the load of
 * the machine during the measurement hits them all alike.
 */
function measure(page) {
  for (const fn of Object.values(methods)) {
    rate(fn, page, WARMUP_MS / Object.keys(methods).length);
  }
  const rates = Object.fromEntries(Object.keys(methods).map((name) => [name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const [name, fn] of Object.entries(methods)) {
      rates[name].push(rate(fn, page, RUN_MS));
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(Object.entries(rates).map(([name, xs]) => [name, median(xs)]));
}

console.log(`machine: ${describeMachine()}`);
console.log(
  `mode: ${quick ? 'quick' : 'full'}: median of ${RUNS} rounds, each method ~${RUN_MS} ms per round in turn, ` +
    `after ${WARMUP_MS} ms of warm-up per page`
);
console.log(
  "MB/s = bytes per second of this process's CPU time (user + system). The machine may be shared: the methods take " +
    'turns in every round, so the ratios hold even when the absolute rates move with the load'
);
console.log(
  `load average at start: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`
);
const kept = parseText(pages[3].body, () => {}, { keepFamily });
console.log(
  `skip keeps families starting with ${KEPT_PREFIXES.join(', ')}: ` +
    `${kept.keptSamples} of ${kept.samples} samples on the concatenated page`
);
if (keepCatalogue) {
  const inCatalogue = parseText(pages[3].body, () => {}, { keepFamily: keepCatalogue });
  console.log(
    `catalogue keeps the agent and operator families of build/exporter/cilium/catalogue.js: ` +
      `${inCatalogue.keptSamples} of ${inCatalogue.samples} samples on the concatenated page`
  );
}
console.log('');

const header = [
  'page',
  'KB',
  ...Object.keys(methods).map((m) => `${m} MB/s`),
  'full/pptf',
  'skip/pptf',
  'full/nl',
  'skip/nl',
  ...(keepCatalogue ? ['catalogue/nl'] : []),
];
const rows = [header];
for (const page of pages) {
  const r = measure(page);
  rows.push([
    page.name,
    (page.body.length / 1000).toFixed(0),
    ...Object.keys(methods).map((m) => r[m].toFixed(r[m] < 100 ? 1 : 0) + (m === 'pptf' && page.pptfBody ? '*' : '')),
    `${(r.full / r.pptf).toFixed(1)}x`,
    `${(r.skip / r.pptf).toFixed(1)}x`,
    `${((100 * r.full) / r.newline).toFixed(0)}%`,
    `${((100 * r.skip) / r.newline).toFixed(0)}%`,
    ...(keepCatalogue ? [`${((100 * r.catalogue) / r.newline).toFixed(0)}%`] : []),
  ]);
}
const widths = header.map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
for (const row of rows) {
  console.log(
    row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join('  ')
  );
}
console.log('');
console.log(
  `load average at end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`
);
if (sink === 0.5) {
  console.log(''); // keeps the results alive
}
