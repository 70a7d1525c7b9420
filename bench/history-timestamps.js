#!/usr/bin/env node
/**
 * What exposition timestamps change for the Prometheus history backend, measured side by side in one run. Three
 * modes, each with its own Prometheus: agent series with the time of their scrape (--metrics-timestamps, the
 * default) and Prometheus scraping at the exporters' interval; without timestamps at the same interval; with
 * timestamps and Prometheus scraping twice per interval. The difference depends on the phase between the exporter's
 * cycle and Prometheus's scrape, so each mode runs --phases exporters on the same simulated cluster, started a
 * fraction of the interval apart, covering the phases evenly. For each, the same queries are answered from Prometheus
 * and from the exporter's own embedded history, and the difference is reported: per node and step, the relative
 * difference of the forwarded-packet rate (over the rate window of 4 intervals) and the share of gauge points
 * (endpoints per state) that differ; and the samples Prometheus refused (a value changed at the same timestamp).
 *
 * Usage: node bench/history-timestamps.js [--seconds 150] [--interval 5] [--nodes 20] [--quick]
 */
'use strict';

const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const net = require('node:net');
const { spawn } = require('node:child_process');
const { parseArgs } = require('node:util');
const { describeMachine } = require('./scale/proc');

const BUILD = path.resolve(__dirname, '..', 'build');
const { startExporter } = require(path.join(BUILD, 'exporter/app'));
const { startSimulator } = require(path.join(BUILD, 'simulator'));
const { EmbeddedBackend } = require(path.join(BUILD, 'exporter/history/embedded'));
const { PrometheusBackend } = require(path.join(BUILD, 'exporter/history/prometheus/backend'));
const { PrometheusClient } = require(path.join(BUILD, 'exporter/history/prometheus/client'));
const { makeGrid } = require(path.join(BUILD, 'exporter/history/grid'));
const { TABLE } = require(path.join(BUILD, 'exporter/http/query/promql-table'));
const { loadConfig } = require(path.join(BUILD, 'exporter/config/config'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function prometheusFor(targets, intervalMs, log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciliumscope-bench-prom-'));
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global: {scrape_interval: ${intervalMs}ms, scrape_timeout: ${Math.min(intervalMs, 2000)}ms}\nscrape_configs:\n  - job_name: exporter\n    static_configs: [{targets: ${JSON.stringify(targets)}}]\n`
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    }
  );
  child.stderr.on('data', (d) => log.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) {
        break;
      }
    } catch {
      // starting
    }
    if (i > 300 || child.exitCode !== null) {
      throw new Error(`prometheus did not start:\n${log.join('')}`);
    }
    await sleep(100);
  }
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function quantile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

/** Differences between one exporter's own history and what Prometheus holds of it (its instance). */
async function compare(exporter, prometheus, intervalMs, from, to) {
  const settings = loadConfig({
    argv: ['--history-backend', 'prometheus', '--prometheus-url', prometheus.url],
    env: {},
  }).config.prometheus;
  const client = new PrometheusClient(settings, 'bench');
  const promBackend = new PrometheusBackend(client, intervalMs, 4);
  const embedded = new EmbeddedBackend(exporter.history, intervalMs);
  const grid = makeGrid(from, to, intervalMs, 11000, intervalMs);
  const reads = {
    ...TABLE.packetFlow({ refId: 'A', queryType: 'packetFlow', groupBy: 'node' }),
    ...TABLE.endpoints({ refId: 'B', queryType: 'endpoints', groupBy: 'node' }),
  };
  const names = Object.keys(reads);
  const instance = { label: 'instance', values: [new URL(exporter.url).host] };
  const ofInstance = (expr) => ({
    ...expr,
    arg: { ...expr.arg, selector: { ...expr.arg.selector, matchers: [...expr.arg.selector.matchers, instance] } },
  });
  const e = await embedded.reader().evaluate(
    names.map((n) => reads[n]),
    grid
  );
  const p = await promBackend.reader().evaluate(
    names.map((n) => ofInstance(reads[n])),
    grid
  );
  await client.close();
  const byKey = (series) => new Map(series.map((s) => [JSON.stringify(s.labels), s.values]));
  const rateDiffs = [];
  const forwardedP = byKey(p[names.indexOf('forwarded')]);
  for (const [key, values] of byKey(e[names.indexOf('forwarded')])) {
    const other = forwardedP.get(key) ?? [];
    values.forEach((v, i) => {
      if (v !== null && other[i] !== null && other[i] !== undefined && v > 0) {
        rateDiffs.push(Math.abs(other[i] - v) / v);
      }
    });
  }
  let gauges = 0;
  let gaugesDiffer = 0;
  const statesP = byKey(p[names.indexOf('states')]);
  for (const [key, values] of byKey(e[names.indexOf('states')])) {
    const other = statesP.get(key) ?? [];
    values.forEach((v, i) => {
      if (v !== null && other[i] !== undefined) {
        gauges++;
        gaugesDiffer += other[i] === v ? 0 : 1;
      }
    });
  }
  rateDiffs.sort((a, b) => a - b);
  return { rateDiffs, gauges, gaugesDiffer };
}

function summary(parts) {
  const rateDiffs = parts.flatMap((x) => x.rateDiffs).sort((a, b) => a - b);
  const sum = (k) => parts.reduce((n, x) => n + x[k], 0);
  return {
    rates: rateDiffs.length,
    median: quantile(rateDiffs, 0.5),
    p90: quantile(rateDiffs, 0.9),
    p99: quantile(rateDiffs, 0.99),
    max: rateDiffs.at(-1),
    gauges: sum('gauges'),
    gaugesDiffer: sum('gaugesDiffer'),
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      interval: { type: 'string' },
      nodes: { type: 'string' },
      phases: { type: 'string' },
      quick: { type: 'boolean' },
    },
  });
  const seconds = Number(values.seconds ?? (values.quick ? 75 : 150));
  const intervalMs = Number(values.interval ?? 5) * 1000;
  const nodes = Number(values.nodes ?? 10);
  const phases = Number(values.phases ?? 5);
  console.log(
    `history-timestamps: ${nodes} nodes, ${phases} exporters per mode a fifth of an interval apart, exporters every ${intervalMs / 1000} s, ${seconds} s`
  );
  console.log(`machine: ${describeMachine()}`);
  const sim = await startSimulator({ nodes, seed: 3, autoTickMs: 1000, tickSeconds: 1, pageKB: 8 });
  const config = (timestamps) =>
    loadConfig({
      argv: [
        '--listen',
        '127.0.0.1:0',
        '--log-level',
        'silent',
        '--scrape-interval',
        `${intervalMs}ms`,
        `--metrics-timestamps=${timestamps}`,
        ...sim.nodes.flatMap((n) => ['--agent', `${n}=${sim.agentUrl(n)}`]),
      ],
      env: {},
    }).config;
  const modes = [
    { name: 'timestamps, Prometheus every interval', timestamps: true, promMs: intervalMs },
    { name: 'no timestamps, every interval', timestamps: false, promMs: intervalMs },
    { name: 'timestamps, Prometheus twice per interval', timestamps: true, promMs: intervalMs / 2 },
  ];
  for (const m of modes) {
    m.log = [];
    m.exporters = [];
  }
  for (let k = 0; k < phases; k++) {
    for (const m of modes) {
      m.exporters.push(await startExporter(config(m.timestamps)));
    }
    await sleep(intervalMs / phases);
  }
  for (const m of modes) {
    m.prometheus = await prometheusFor(
      m.exporters.map((e) => new URL(e.url).host),
      m.promMs,
      m.log
    );
  }
  // Prometheus starts scraping some seconds after it is ready; compare only once all have a full rate window.
  const from = Date.now() + 10_000 + 5 * intervalMs;
  await sleep(seconds * 1000);
  const to = Date.now() - intervalMs;
  for (const m of modes) {
    const parts = [];
    for (const exporter of m.exporters) {
      parts.push(await compare(exporter, m.prometheus, intervalMs, from, to));
    }
    m.result = summary(parts);
    m.refused = m.log
      .join('')
      .split('\n')
      .filter((l) => l.includes('same timestamp'))
      .reduce((n, l) => n + Number(/num_dropped=(\d+)/.exec(l)?.[1] ?? 0), 0);
  }
  const pct = (x) => `${(100 * x).toFixed(2)}%`;
  const row = (label, cell) => console.log(label.padEnd(36) + modes.map((m) => String(cell(m)).padEnd(26)).join(''));
  console.log('');
  row('', (m) => m.name.split(',')[0]);
  row('', (m) => (m.name.split(',')[1] ?? '').trim());
  row('rate points compared', (m) => m.result.rates);
  for (const q of ['median', 'p90', 'p99', 'max']) {
    row(`rate relative difference, ${q}`, (m) => pct(m.result[q]));
  }
  row('gauge points that differ', (m) => `${m.result.gaugesDiffer} of ${m.result.gauges}`);
  row('samples Prometheus refused', (m) => m.refused);
  for (const m of modes) {
    await m.prometheus.stop();
    await Promise.all(m.exporters.map((e) => e.close()));
  }
  await sim.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
