/**
 * bench/kube-join.js --sync: the simulator's Kubernetes API server and the exporter in this process, over loopback;
 * the exporter's initial sync, its heap growth and the latency from a change in the API server to its being applied.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { benchExporterConfig } = require('../scale/exporter-config');
const { fmt, heapUsed, ms } = require('./measure');

/** The simulator's API server and the exporter in this process: initial sync and change-to-applied latency. */
async function endToEnd({ nodes, podsPerNode, quick }) {
  const root = path.resolve(__dirname, '..', '..', 'build');
  const { startSimulator, writeKubeconfig } = require(path.join(root, 'simulator'));
  const { startExporter } = require(path.join(root, 'exporter', 'app'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciliumscope-bench-'));
  const sim = await startSimulator({
    nodes,
    podsPerNode,
    seed: 1,
    pageKB: 20,
    kube: { token: 'bench' },
  });
  const kubeconfig = await writeKubeconfig(sim, path.join(dir, 'kubeconfig'));
  await fetch(`${sim.url}/api/v1/pods?limit=1`, { headers: { authorization: 'Bearer bench' } });
  const config = benchExporterConfig(root, {
    scrapeIntervalMs: 30_000,
    scrapeTimeoutMs: 10_000,
    maxConcurrency: 64,
    maxBodyBytes: 16 * 1024 * 1024,
    staleAfterMs: 90_000,
    history: { retentionMs: 3_600_000, maxBytes: 64 * 1024 * 1024 },
    kube: {
      connection: { kind: 'kubeconfig', path: kubeconfig, context: null },
      discover: true,
      namespace: 'kube-system',
      agent: { selector: 'k8s-app=cilium', port: 9962, urlTemplate: `${sim.url}/agents/{node}/metrics` },
      operator: { selector: 'io.cilium/app=operator', port: 9963, urlTemplate: `${sim.url}/operator/metrics` },
      timing: {
        backoffInitialMs: 500,
        backoffMaxMs: 30_000,
        watchTimeoutSeconds: 300,
        watchGraceMs: 30_000,
        listTimeoutMs: 600_000,
        absentRetryMs: 60_000,
      },
    },
  });
  const before = heapUsed();
  let t0 = process.hrtime.bigint();
  const exporter = await startExporter(config, { autoScrape: false });
  await exporter.kube.whenSynced(600_000);
  const syncMs = ms(process.hrtime.bigint() - t0);
  const grown = heapUsed() - before;
  const counts = Object.fromEntries(exporter.kube.watchers().map((w) => [w.resource, w.objects]));

  // Applied when a watcher has reached the API server's resourceVersion (events and bookmarks carry it).
  const reached = () => {
    const target = sim.kubeStats().resourceVersion;
    return exporter.kube.watchers().some((w) => Number(w.resourceVersion) >= target);
  };
  const latencies = [];
  const rvBefore = sim.kubeStats().resourceVersion;
  for (let i = 0; i < (quick ? 5 : 10); i++) {
    sim.tick();
    t0 = process.hrtime.bigint();
    while (!reached()) {
      await new Promise((r) => setImmediate(r));
      if (ms(process.hrtime.bigint() - t0) > 30_000) {
        throw new Error('the exporter did not catch up within 30 s');
      }
    }
    latencies.push(ms(process.hrtime.bigint() - t0));
  }
  const changesPerTick = (sim.kubeStats().resourceVersion - rvBefore) / latencies.length;
  t0 = process.hrtime.bigint();
  const answer = await (await fetch(`${exporter.url}/api/v1/unmanaged-pods`)).json();
  const answerMs = ms(process.hrtime.bigint() - t0);
  await exporter.close();
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const objects = Object.entries(counts)
    .map(([r, n]) => `${n.toLocaleString()} ${r}`)
    .join(', ');
  console.log('');
  console.log('end to end (simulator API server and exporter in this process, over loopback)');
  console.log(`  initial sync (${objects})   ${fmt(syncMs / 1000, 1)} s`);
  console.log(`  exporter heap growth (client library loaded before)   ${fmt(grown / 1024 / 1024, 1)} MB`);
  console.log(
    `  change in the API server → applied            median ${fmt(latencies[Math.floor(latencies.length / 2)], 1)} ms, max ${fmt(latencies[latencies.length - 1], 1)} ms (${latencies.length} ticks of ${fmt(changesPerTick, 0)} object changes each)`
  );
  console.log(`  GET /api/v1/unmanaged-pods (${answer.pods.length.toLocaleString()} pods)   ${fmt(answerMs, 1)} ms`);
}

module.exports = { endToEnd };
