#!/usr/bin/env node
/**
 * Drops by workload at scale: 1,000 nodes and 10,000 drop flows/s, the exporter's CPU and memory, side by side in
 * one run for the two ways in:
 *   metrics  one exporter scraping every node's Hubble metrics page (pod context, 150 pairs a node) every --interval
 *   relay    one exporter following Hubble Relay's GetFlows stream of the same 10,000 drop flows/s
 * Both read from bench/hubble-load.js in its own process; each exporter is the built command in its own process,
 * so /proc tells their CPU and memory apart. Prints CPU per 1,000 flows/s (share of one core), CPU per scrape cycle,
 * resident and peak memory, against the stated figure, and what the workload rows cost the embedded history (which
 * holds every row /metrics writes).
 *
 * Usage: npm run build:exporter && node bench/hubble.js [--quick] [--nodes 1000] [--rate 10000] [--seconds 120]
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { cpuSeconds, memory, describeMachine } = require('./scale/proc');

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const quick = args.includes('--quick');
const NODES = flag('nodes', 1000);
const RATE = flag('rate', 10000);
const SECONDS = flag('seconds', quick ? 40 : 120);
const INTERVAL = flag('interval', quick ? 10 : 30);
/**
 * The stated figures: the exporter's peak resident memory at 1,000 nodes and 10,000 drop flows/s, each way in (the
 * metrics exporter holds 1,000 targets' connections, pages being parsed and the history, whose rings hold every
 * workload row /metrics writes: 40,000 counters of 3 h at 30 s take 170 MiB; the relay one the stream).
 */
const MEMORY_FIGURE_MIB = { metrics: 768, relay: 320 };

const root = path.resolve(__dirname, '..');
const BIN = path.join(root, 'bin', 'ciliumscope-exporter.js');
if (!fs.existsSync(path.join(root, 'build', 'exporter', 'hubble', 'index.js'))) {
  console.error('build/exporter is missing: run `npm run build:exporter` first');
  process.exit(1);
}

function startLoad() {
  const child = spawn(process.execPath, [path.join(__dirname, 'hubble-load.js'), String(NODES), String(RATE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        resolve({ child, ...JSON.parse(line) });
      }
    });
    child.on('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  });
}

function startExporter(name, config) {
  const file = path.join(os.tmpdir(), `ciliumscope-bench-hubble-${name}-${process.pid}.yaml`);
  fs.writeFileSync(file, config);
  const child = spawn(process.execPath, [BIN, '--config', file, '--listen', '127.0.0.1:0', '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /metrics at (http:\/\/\S+)\/metrics/.exec(err);
      if (m) {
        resolve({ name, child, url: m[1], file });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exporter exited with ${code}: ${err}`)));
  });
}

async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  // The value follows the name and labels; a timestamp may follow it.
  return line ? Number(/^[^{\s]+(?:\{.*\})?\s+(\S+)/.exec(line)[1]) : 0;
}

/** Samples of a family on /metrics. */
async function count(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' ')).length;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  console.log(
    `Hubble drops by workload: ${NODES} nodes, ${RATE} drop flows/s, ${SECONDS} s measured, scrape interval ${INTERVAL} s`
  );
  console.log(`machine: ${describeMachine()}\n`);
  const load = await startLoad();
  const targets = Array.from({ length: NODES }, (_, n) => `node-${String(n).padStart(4, '0')}`);
  const metricsExporter = await startExporter(
    'metrics',
    `scrape-interval: ${INTERVAL}s\nscrape-timeout: ${Math.min(10, INTERVAL)}s\nhubble:\n${targets.map((t) => `  - ${t}=${load.http}/hubble/${t}/metrics`).join('\n')}\n`
  );
  const relayExporter = await startExporter('relay', `scrape-interval: ${INTERVAL}s\nhubble-relay: ${load.relay}\n`);
  const exporters = [metricsExporter, relayExporter];
  try {
    // Warm up: two scrape cycles, the relay stream open.
    const warm = Date.now() + 2 * INTERVAL * 1000 + 5000;
    while (Date.now() < warm) {
      await sleep(1000);
    }
    const start = exporters.map((e) => ({ cpu: cpuSeconds(e.child.pid), cycles: 0, flows: 0 }));
    start[0].cycles = await metric(metricsExporter.url, 'ciliumscope_scrape_cycles_total');
    start[1].flows = await metric(relayExporter.url, 'ciliumscope_hubble_relay_flows_total');
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = exporters.map((e, i) => cpuSeconds(e.child.pid) - start[i].cpu);
    const cycles = (await metric(metricsExporter.url, 'ciliumscope_scrape_cycles_total')) - start[0].cycles;
    const flows = (await metric(relayExporter.url, 'ciliumscope_hubble_relay_flows_total')) - start[1].flows;
    const pairs = await metric(metricsExporter.url, 'ciliumscope_workload_drop_pairs');
    // The embedded history holds the workload rows /metrics writes, beside the exporter's other series.
    const history = await Promise.all(
      exporters.map(async (e) => ({
        rows: await count(e.url, 'ciliumscope_workload_dropped_packets_total'),
        series: await metric(e.url, 'ciliumscope_history_series'),
        bytes: await metric(e.url, 'ciliumscope_history_bytes'),
        retention: await metric(e.url, 'ciliumscope_history_retention_seconds'),
      }))
    );
    const mem = exporters.map((e) => memory(e.child.pid));
    const flowRate = flows / elapsed;
    const row = (label, a, b) => console.log(`${label.padEnd(40)}${String(a).padStart(16)}${String(b).padStart(16)}`);
    row('', 'metrics', 'relay');
    row('drop flows/s (relay: received)', RATE, flowRate.toFixed(0));
    row('CPU, share of one core', (cpu[0] / elapsed).toFixed(3), (cpu[1] / elapsed).toFixed(3));
    row(
      'CPU per 1,000 flows/s (share of a core)',
      (cpu[0] / elapsed / (RATE / 1000)).toFixed(4),
      (cpu[1] / elapsed / (flowRate / 1000)).toFixed(4)
    );
    row('CPU per scrape cycle (s)', cycles > 0 ? (cpu[0] / cycles).toFixed(2) : 'n/a', '');
    row('resident memory (MiB)', mem[0].rssMiB.toFixed(0), mem[1].rssMiB.toFixed(0));
    row('peak resident memory (MiB)', mem[0].peakMiB.toFixed(0), mem[1].peakMiB.toFixed(0));
    row('stated figure, peak (MiB)', MEMORY_FIGURE_MIB.metrics, MEMORY_FIGURE_MIB.relay);
    row('workload rows on /metrics', history[0].rows, history[1].rows);
    row('history series (all)', history[0].series, history[1].series);
    row('history memory (MiB)', (history[0].bytes / 2 ** 20).toFixed(0), (history[1].bytes / 2 ** 20).toFixed(0));
    row('history retention (h)', (history[0].retention / 3600).toFixed(2), (history[1].retention / 3600).toFixed(2));
    console.log(
      `\nscrape cycles measured: ${cycles}; pairs held on a node: ${pairs}; relay / metrics CPU: ${(cpu[1] / cpu[0]).toFixed(2)}×`
    );
    const over = exporters.filter((e, i) => mem[i].peakMiB > MEMORY_FIGURE_MIB[e.name]).map((e) => e.name);
    console.log(
      over.length ? `NOT MET: peak memory above the stated figure for ${over.join(', ')}` : 'memory figures met'
    );
    if (flowRate < RATE * 0.9) {
      console.log(
        `note: ${flowRate.toFixed(0)} flows/s reached the relay exporter (the load generator shares the cores); CPU per 1,000 flows/s is per flow received`
      );
    }
    process.exitCode = over.length ? 1 : 0;
  } finally {
    for (const e of exporters) {
      e.child.kill('SIGTERM');
      fs.rmSync(e.file, { force: true });
    }
    load.child.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
