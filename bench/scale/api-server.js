#!/usr/bin/env node
/**
 * An exporter with an hour of history, kept scraping, for the API benchmarks (bench/api-load.js, bench/history).
 *
 * The simulator runs in its own process (the CLI, manual ticks of --interval simulated seconds); the exporter runs
 * here on a clock of its own that starts --backfill intervals in the past: each cycle ticks the simulator, moves the
 * clock on by one interval and scrapes, so an hour of history fills in a minute or two. Then it prints one JSON
 * line `{"url", "nowMs", "nodes", "series"}` and keeps cycling every --scrape-every of wall time until stopped
 * (SIGTERM), so API requests meet real scrape cycles.
 *
 * Usage: node bench/scale/api-server.js [--nodes 1000] [--page-kb 60] [--interval 30] [--backfill 121]
 *        [--scrape-every 10000] [--token-file FILE] [--build DIR]
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { startSimulator, ROOT } = require('./processes');
const { benchExporterConfig } = require('./exporter-config');

async function main() {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '1000' },
      'page-kb': { type: 'string', default: '60' },
      interval: { type: 'string', default: '30' },
      backfill: { type: 'string', default: '121' },
      'scrape-every': { type: 'string', default: '10000' },
      'token-file': { type: 'string' },
      build: { type: 'string' },
    },
  });
  const nodes = Number(values.nodes);
  const intervalMs = Number(values.interval) * 1000;
  const backfill = Number(values.backfill);
  const scrapeEvery = Number(values['scrape-every']);
  // --build: another build of the exporter (a baseline compiled elsewhere), same simulator.
  const build = values.build ? path.resolve(values.build) : path.join(ROOT, 'build');
  const { startExporter } = require(path.join(build, 'exporter', 'app.js'));

  const sim = await startSimulator({ nodes, pageKB: Number(values['page-kb']), tickSeconds: intervalMs / 1000 });
  let now = Math.floor((Date.now() - backfill * intervalMs) / intervalMs) * intervalMs;
  const exporter = await startExporter(
    benchExporterConfig(build, {
      agents: sim.nodes.map((node) => ({ node, url: sim.url + sim.agentPath(node) })),
      operator: { node: '', url: `${sim.url}/operator/metrics` },
      scrapeIntervalMs: intervalMs,
      scrapeTimeoutMs: 10_000,
      maxConcurrency: 64,
      maxBodyBytes: 16 * 1024 * 1024,
      staleAfterMs: 3 * intervalMs,
      token: values['token-file'] ? fs.readFileSync(values['token-file'], 'utf8').trim() : null,
      history: { retentionMs: 3 * 3_600_000, maxBytes: 192 * 1024 * 1024 },
    }),
    { autoScrape: false, now: () => now }
  );
  const cycle = async () => {
    const res = await fetch(`${sim.url}/control/tick`, { method: 'POST', body: '{"n":1}' });
    await res.arrayBuffer();
    now += intervalMs;
    return exporter.scrapeNow();
  };
  const started = Date.now();
  for (let i = 0; i < backfill; i++) {
    const t = Date.now();
    const stats = await cycle();
    if (i % 20 === 0) {
      process.stderr.write(
        `backfill ${i + 1}/${backfill}: ${stats.succeeded}/${stats.targets} targets, ${Date.now() - t} ms\n`
      );
    }
  }
  process.stderr.write(`backfilled ${backfill} cycles in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(
    JSON.stringify({
      url: exporter.url,
      nowMs: now,
      nodes: sim.nodes,
      series: exporter.history.stats().series,
      pid: process.pid,
    }) + '\n'
  );

  let stopping = false;
  let timer = null;
  const loop = async () => {
    if (stopping) {
      return;
    }
    try {
      await cycle();
    } catch (err) {
      process.stderr.write(`cycle failed: ${err.message}\n`);
    }
    if (!stopping) {
      timer = setTimeout(loop, scrapeEvery);
    }
  };
  timer = setTimeout(loop, scrapeEvery);
  const stop = async () => {
    stopping = true;
    clearTimeout(timer);
    await exporter.close();
    await sim.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('disconnect', stop);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
