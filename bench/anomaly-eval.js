#!/usr/bin/env node
/**
 * Evaluation of the drop anomaly detector on the simulator's labelled scenarios (simulator/scenarios/anomaly-*):
 * quiet and noisy nodes with one-node spikes of 2×, 5× and 20×, a daily cycle, gradual ramps, level shifts after
 * deploys, cluster-wide spikes and agent restarts. The simulator runs in-process, tick by tick; every detector gets
 * the same rates from a real cluster model at each scrape (bench/anomaly/simulate.js). In the same run, the
 * exporter's detector is compared with static thresholds, a mean/stddev z-score and a median/MAD band.
 *
 * Prints precision, recall, false alerts per 100 node-days, alerts at agent restarts and detection delays (in scrape
 * intervals), the definitions used (bench/anomaly/metrics.js), the machine, the detector's memory per series and
 * its CPU time per series and scrape.
 *
 * Usage: npm run build:exporter && node bench/anomaly-eval.js [--quick] [--workers N] [--only a,b] [--json FILE]
 *        [--set k=7 --set confirmScrapes=3 ...]   (detector parameters, see exporter/anomaly/params.ts)
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const { describeMachine } = require('./scale/proc');
const path = require('node:path');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const SCRAPE_SECONDS = 30;
const TICK_SECONDS = 5;

/** [scenario, nodes, simulated hours, seed]: distinct seeds so scenarios do not share background bursts. */
const PLANS = {
  quick: [
    ['anomaly-quiet', 24, 10, 101],
    ['anomaly-noisy', 24, 10, 102],
    ['anomaly-seasonal', 16, 24, 103],
    ['anomaly-ramp', 16, 10, 104],
    ['anomaly-level-shift', 16, 10, 105],
    ['anomaly-cluster-spike', 16, 10, 106],
    ['anomaly-resets', 16, 10, 107],
  ],
  full: [
    ['anomaly-quiet', 100, 30, 201],
    ['anomaly-noisy', 100, 30, 202],
    ['anomaly-seasonal', 60, 50, 203],
    ['anomaly-ramp', 60, 30, 204],
    ['anomaly-level-shift', 60, 30, 205],
    ['anomaly-cluster-spike', 60, 30, 206],
    ['anomaly-resets', 60, 30, 207],
  ],
};

function comparatorSpecs(params) {
  const windowPoints = Math.round(params.windowMs / 1000 / SCRAPE_SECONDS);
  return [
    { kind: 'static', threshold: 1 },
    { kind: 'static', threshold: 10 },
    { kind: 'zscore', windowPoints, z: 3, minPoints: 10 },
    { kind: 'median', windowPoints, k: 3, params },
  ];
}

function makeComparator(spec) {
  const c = require('./anomaly/comparators');
  switch (spec.kind) {
    case 'static':
      return c.staticThreshold(spec.threshold);
    case 'zscore':
      return c.zScore(spec);
    default:
      return c.medianMad(spec);
  }
}

if (!isMainThread) {
  const { simulate } = require('./anomaly/simulate');
  const { evaluateRun } = require('./anomaly/metrics');
  const { task } = workerData;
  const run = simulate({
    ...task,
    comparators: task.comparators.map((spec) => ({
      name: makeComparator(spec).name,
      make: () => makeComparator(spec),
    })),
  });
  const results = evaluateRun(run);
  parentPort.postMessage({
    scenario: run.scenario,
    nodes: run.nodes,
    hours: run.hours,
    labels: run.labels.length,
    resets: run.resets.length,
    wallMs: run.wallMs,
    detectorNsPerSeries: run.detectorNsPerSeries,
    detectorSeries: run.detectorSeries,
    detectorBytes: run.detectorBytes,
    detectorNames: run.detectorNames,
    results: [...results.entries()],
  });
  return;
}

function parseArgs(argv) {
  const out = {
    quick: false,
    workers: Math.max(1, Math.min(2, os.cpus().length)),
    only: null,
    json: null,
    build: null,
    set: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        fail(`${a} needs a value`);
      }
      return argv[++i];
    };
    if (a === '--quick') {
      out.quick = true;
    } else if (a === '--workers') {
      out.workers = Number(value());
      if (!Number.isInteger(out.workers) || out.workers < 1 || out.workers > 64) {
        fail('--workers must be an integer from 1 to 64');
      }
    } else if (a === '--only') {
      out.only = value().split(',');
    } else if (a === '--json') {
      out.json = value();
    } else if (a === '--build') {
      out.build = path.resolve(value());
    } else if (a === '--set') {
      const m = /^([a-zA-Z]+)=(.+)$/.exec(value());
      if (!m || !Number.isFinite(Number(m[2]))) {
        fail('--set takes NAME=NUMBER, e.g. --set k=7');
      }
      out.set[m[1]] = Number(m[2]);
    } else {
      fail(`unknown argument ${a} (see the header of bench/anomaly-eval.js)`);
    }
  }
  return out;
}

function fail(message) {
  console.error(`anomaly-eval: ${message}`);
  process.exit(2);
}

function runTask(task) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { task } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker for ${task.scenario} exited with ${code}`)));
  });
}

async function runAll(tasks, workers) {
  const queue = [...tasks].sort((a, b) => b.nodes * b.hours - a.nodes * a.hours);
  const out = [];
  const lanes = Array.from({ length: Math.min(workers, queue.length) }, async () => {
    while (queue.length) {
      const task = queue.shift();
      out.push(await runTask(task));
    }
  });
  await Promise.all(lanes);
  return out;
}

// ---- aggregation and printing

const ratio = (num, den) => (den ? num / den : NaN);
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function recallRow(labels, pick, within) {
  const chosen = labels.filter(pick);
  const hit = chosen.filter((l) => l.detected && (within === undefined || l.delay <= within)).length;
  return { value: ratio(hit, chosen.length), n: chosen.length };
}

function delays(labels) {
  const d = labels
    .filter((l) => l.detected)
    .map((l) => l.delay)
    .sort((a, b) => a - b);
  return {
    mean: d.length ? d.reduce((a, b) => a + b, 0) / d.length : NaN,
    p90: d.length ? d[Math.min(d.length - 1, Math.floor(0.9 * d.length))] : NaN,
  };
}

/** Cluster-wide events: detected when any node alerts within `within` scrapes. */
function incidentRecall(labels, within) {
  const groups = new Map();
  for (const l of labels.filter((x) => x.kind === 'cluster-spike')) {
    groups.set(l.group, (groups.get(l.group) ?? false) || (l.detected && l.delay <= within));
  }
  return { value: ratio([...groups.values()].filter(Boolean).length, groups.size), n: groups.size };
}

function summarise(reports, names) {
  const perDetector = new Map(
    names.map((n) => [
      n,
      {
        trueEpisodes: 0,
        falseEpisodes: 0,
        resetEpisodes: 0,
        nodeDays: 0,
        falseMature: 0,
        nodeDaysMature: 0,
        labels: [],
      },
    ])
  );
  for (const r of reports) {
    for (const [name, res] of r.results) {
      const acc = perDetector.get(name);
      acc.trueEpisodes += res.trueEpisodes;
      acc.falseEpisodes += res.falseEpisodes;
      acc.resetEpisodes += res.resetEpisodes;
      acc.nodeDays += res.nodeDays;
      acc.falseMature += res.falseMature;
      acc.nodeDaysMature += res.nodeDaysMature;
      acc.labels.push(...res.labels);
    }
  }
  const spike = (f) => (l) => l.kind === 'spike' && l.factor >= f && (f !== 2 || l.factor < 5);
  const rows = [
    ['one-node spikes ≥5×: recall within 2 scrapes', (L) => recallRow(L, spike(5), 2)],
    ['  recall at any time during the spike', (L) => recallRow(L, spike(5))],
    ['  recall within 3 scrapes', (L) => recallRow(L, spike(5), 3)],
    ['  5× only, within 2 scrapes', (L) => recallRow(L, (l) => l.kind === 'spike' && l.factor === 5, 2)],
    ['  20× only, within 2 scrapes', (L) => recallRow(L, (l) => l.kind === 'spike' && l.factor === 20, 2)],
    ['  above the background p99.9, within 2', (L) => recallRow(L, (l) => spike(5)(l) && !l.insideNoise, 2)],
    ['  inside the background noise, within 2', (L) => recallRow(L, (l) => spike(5)(l) && l.insideNoise, 2)],
    ['  mean delay when detected (scrapes)', (L) => ({ value: delays(L.filter(spike(5))).mean })],
    ['  90th percentile delay (scrapes)', (L) => ({ value: delays(L.filter(spike(5))).p90 })],
    ['one-node spikes 2× (near the noise): recall', (L) => recallRow(L, (l) => l.kind === 'spike' && l.factor === 2)],
    ['cluster-wide spikes: node recall within 2', (L) => recallRow(L, (l) => l.kind === 'cluster-spike', 2)],
    ['  incidents alerted on any node within 2', (L) => incidentRecall(L, 2)],
    ['ramps: recall once ≥5×', (L) => recallRow(L, (l) => l.kind === 'ramp')],
    ['  mean delay after reaching 5× (scrapes)', (L) => ({ value: delays(L.filter((l) => l.kind === 'ramp')).mean })],
    ['level shifts: recall within the first hour', (L) => recallRow(L, (l) => l.kind === 'level-shift')],
    ['  within 2 scrapes', (L) => recallRow(L, (l) => l.kind === 'level-shift', 2)],
  ];
  const table = rows.map(([label, f]) => [label, ...names.map((n) => f(perDetector.get(n).labels))]);
  table.push([
    'false alerts per 100 node-days',
    ...names.map((n) => ({ value: (100 * perDetector.get(n).falseEpisodes) / perDetector.get(n).nodeDays })),
  ]);
  table.push([
    '  false alert episodes (count)',
    ...names.map((n) => ({ value: perDetector.get(n).falseEpisodes, int: true })),
  ]);
  table.push([
    '  after the first day (per 100 node-days)',
    ...names.map((n) => ({
      value: (100 * perDetector.get(n).falseMature) / perDetector.get(n).nodeDaysMature,
      n: perDetector.get(n).falseMature,
    })),
  ]);
  table.push([
    'alerts at agent restarts (counter resets)',
    ...names.map((n) => ({ value: perDetector.get(n).resetEpisodes, int: true })),
  ]);
  table.push([
    'precision (true / all alert episodes)',
    ...names.map((n) => ({
      value: ratio(perDetector.get(n).trueEpisodes, perDetector.get(n).trueEpisodes + perDetector.get(n).falseEpisodes),
    })),
  ]);
  return { table, perDetector };
}

function shortName(name) {
  if (name === 'detector') {
    return 'detector';
  }
  if (name.startsWith('static')) {
    return name.replace('static > ', 'static>').replace(' pps', '');
  }
  if (name.startsWith('z-score')) {
    return 'z-score';
  }
  return 'median/MAD';
}

function printTable(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  console.log(`\n${title}`);
  console.log(header.map((h, i) => (i === 0 ? h.padEnd(widths[i]) : h.padStart(widths[i]))).join('  '));
  for (const r of rows) {
    console.log(r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  }
}

function cell(c) {
  if (c.int) {
    return String(c.value);
  }
  return c.n !== undefined
    ? `${fmt(c.value)} (${c.n})`
    : fmt(c.value, Number.isFinite(c.value) && Math.abs(c.value) >= 100 ? 0 : 2);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const root = path.resolve(__dirname, '..');
  const build = args.build ?? path.join(root, 'build');
  for (const f of ['exporter/anomaly/attach.js', 'simulator/cluster.js', 'simulator/scenarios/anomaly-labels.js']) {
    if (!fs.existsSync(path.join(build, f))) {
      fail(`${path.join(build, f)} is missing: run \`npm run build:exporter\` first`);
    }
  }
  const { DEFAULT_ANOMALY_PARAMS } = require(path.join(build, 'exporter/anomaly/params.js'));
  const params = { ...DEFAULT_ANOMALY_PARAMS };
  for (const [k, v] of Object.entries(args.set)) {
    if (!(k in params)) {
      fail(`--set ${k}: not a detector parameter (${Object.keys(params).join(', ')})`);
    }
    params[k] = v;
  }
  let plan = PLANS[args.quick ? 'quick' : 'full'];
  if (args.only) {
    plan = plan.filter(([s]) => args.only.includes(s));
    if (!plan.length) {
      fail(`--only matched no scenario (${PLANS.full.map(([s]) => s).join(', ')})`);
    }
  }
  const comparators = comparatorSpecs(params);
  const tasks = plan.map(([scenario, nodes, hours, seed]) => ({
    build,
    scenario,
    nodes,
    hours,
    seed,
    scrapeSeconds: SCRAPE_SECONDS,
    tickSeconds: TICK_SECONDS,
    params,
    comparators,
  }));
  const started = Date.now();
  const reports = await runAll(tasks, args.workers);
  const wallS = (Date.now() - started) / 1000;
  reports.sort((a, b) => plan.findIndex(([s]) => s === a.scenario) - plan.findIndex(([s]) => s === b.scenario));
  const names = reports[0].detectorNames;
  const nodeDays = reports.reduce((sum, r) => sum + (r.nodes * r.hours) / 24, 0);

  console.log(
    `Drop anomaly evaluation (${args.quick ? 'quick' : 'full'}): ${reports.length} scenarios, ${fmt(nodeDays, 0)} simulated node-days, scrape interval ${SCRAPE_SECONDS} s, simulator tick ${TICK_SECONDS} s`
  );
  console.log(`Machine: ${describeMachine()}; ${args.workers} worker(s), wall ${fmt(wallS, 1)} s`);
  const p = params;
  console.log(
    `Detector: baseline EWMA over ${p.windowMs / 60000} min, spread over ${p.spreadWindowMs / 3600000} h, k ${p.k}, margin ${p.margin}, ` +
      `min rate ${p.minRate} pps, min increase ${p.minIncrease} packets, confirm ${p.confirmScrapes} scrapes (lead floor ${p.leadFloor}), ` +
      `peers ≥ ${p.peerMinNodes} nodes (limit ${p.peerFactor}×), warm-up ${p.warmupMs / 60000} min`
  );
  console.log('Comparators: ' + names.slice(1).join('; '));

  const { table, perDetector } = summarise(reports, names);
  const det = perDetector.get('detector');
  const fast = recallRow(det.labels, (l) => l.kind === 'spike' && l.factor >= 5, 2);
  const fp = (100 * det.falseEpisodes) / det.nodeDays;
  const goal = (ok) => (ok ? 'met' : 'NOT met');
  console.log(
    `\nGoals (detector): recall ≥ 0.95 for one-node spikes ≥ 5× within 2 scrapes: ${fmt(fast.value)} (${goal(fast.value >= 0.95)}); ` +
      `≤ 1 false alert per 100 node-days: ${fmt(fp)} (${goal(fp <= 1)}; ${fmt((100 * det.falseMature) / det.nodeDaysMature)} after the first day); ` +
      `no alert at counter resets: ${det.resetEpisodes} (${goal(det.resetEpisodes === 0)}).`
  );
  printTable(
    'Summary (counts in parentheses)',
    ['', ...names.map(shortName)],
    table.map(([label, ...cells]) => [label, ...cells.map(cell)])
  );

  const perScenario = reports.map((r) => {
    const res = new Map(r.results);
    return [
      `${r.scenario} (${r.nodes}×${r.hours}h, ${r.labels} labels${r.resets ? `, ${r.resets} restarts` : ''})`,
      ...names.map((n) => {
        const x = res.get(n);
        const labels = x.labels;
        const recall = labels.length ? ratio(labels.filter((l) => l.detected).length, labels.length) : NaN;
        return `${fmt((100 * x.falseEpisodes) / x.nodeDays, 1)} / ${fmt(recall)}`;
      }),
    ];
  });
  printTable(
    'Per scenario: false alerts per 100 node-days / recall of all labels (any time)',
    ['', ...names.map(shortName)],
    perScenario
  );

  const { measureScale } = require('./anomaly/memory');
  const scale = measureScale(build, params, { nodes: 2000, pairs: 50, cycles: args.quick ? 5 : 20 });
  const ns = reports.reduce((a, r) => a + r.detectorNsPerSeries, 0) / reports.length;
  console.log(
    `\nDetector at scale (${scale.nodes} nodes × ${scale.pairs} direction × reason = ${scale.series} series, inputs prepared beforehand): ` +
      `${fmt(scale.cycleCpuMs, 1)} ms CPU per scrape cycle (${fmt(scale.cpuNsPerSeries / 1000, 2)} µs per series), ` +
      `${scale.stateBytesPerSeries} bytes of state per series (${fmt(scale.tableBytesPerSeries, 0)} as allocated, with growth ` +
      `headroom and per-node maps; ${fmt(scale.arrayBufferBytesPerSeries, 0)} in all typed arrays, per-cycle scratch included) ` +
      `and ${fmt(scale.heapBytesPerSeries, 0)} bytes of JS heap per series.`
  );
  console.log(
    `In the scenario runs (a few hundred series, cycle listener included): ${fmt(ns / 1000, 2)} µs CPU per series per scrape.`
  );
  console.log(
    '\nDefinitions: an alert episode is a run of consecutive alerting scrapes on one series. It is true when it overlaps a label of that series ' +
      '(up to 2 scrapes after its end), false otherwise (counted after the warm-up); a false episode starting within 3 scrapes of an agent restart ' +
      'on its node is an alert at a restart. A label is detected when the series alerts between its first scrape and 2 scrapes after its end; ' +
      'delay counts scrapes from the first scrape whose interval contains the anomaly (= 1). A spike is "inside the noise" when its added rate is ' +
      "at most the 99.9th percentile of the background rate of its direction × reason. Cluster-wide spikes are labelled on every node: each node's " +
      'series is outside its own normal, and alert grouping (by reason) belongs to Alertmanager. Level shifts are labelled for their first hour; ' +
      'alerts after that count as false (the new level should be normal by then).'
  );
  if (args.json) {
    fs.writeFileSync(
      args.json,
      JSON.stringify(
        { params, plan, wallS, reports: reports.map((r) => ({ ...r, results: Object.fromEntries(r.results) })) },
        null,
        1
      )
    );
  }
}

main().catch((err) => {
  console.error(`anomaly-eval: ${err.stack ?? err}`);
  process.exit(1);
});
