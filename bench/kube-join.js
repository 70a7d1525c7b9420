#!/usr/bin/env node
/**
 * The pod ⟷ CiliumEndpoint join at scale, in one run (default 5,000 nodes, 100,000 pods):
 *   initial      the full build from lists: 100k pods and their CiliumEndpoints through the client library's
 *                ListWatch (its cache and callbacks, as in the exporter) into the incremental join
 *   update       one watch event (pod added, deleted, phase change, terminating; CiliumEndpoint added or deleted)
 *                applied and its node's numbers read back, against the baseline of a naive full recompute of every
 *                node's numbers per event, measured in the same run (ratio)
 *   answers      per-node numbers for /metrics and the history (every node), the full unmanaged-pods answer
 *   memory       heap held by 100k full pod objects as the API returns them vs the exporter's slim records (with the
 *                ListWatch cache and the join's indexes), the per-pod cost of slimming
 *
 *   --sync       end to end over loopback: the simulator's Kubernetes API with the same cluster size, the exporter's
 *                initial sync (paged lists through the typed client, all four watchers), its heap growth, and the
 *                latency from a change in the API server to the exporter having applied it (per tick)
 *
 * The synthetic cluster is kube-join/cluster.js, the --sync run kube-join/end-to-end.js.
 *
 * Usage: npm run build:exporter && node bench/kube-join.js [--quick] [--sync] [--nodes N] [--pods-per-node N]
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { describeMachine } = require('./scale/proc');
const { NAMESPACES, fullPod, makeCiliumEndpoints, makePods, nodeName, rand } = require('./kube-join/cluster');
const { endToEnd } = require('./kube-join/end-to-end');
const { fmt, heapUsed, median, ms, pct } = require('./kube-join/measure');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const NODES = flag('--nodes', quick ? 500 : 5000);
const PODS_PER_NODE = flag('--pods-per-node', 20);
const UPDATES = quick ? 2000 : 20000;
const NAIVE_UPDATES = quick ? 20 : 30;

const build = path.resolve(__dirname, '..', 'build', 'exporter', 'kube');
if (!fs.existsSync(path.join(build, 'join.js'))) {
  console.error(`${build}/join.js is missing: run \`npm run build:exporter\` first`);
  process.exit(1);
}
const { PodJoin, classifyPod } = require(path.join(build, 'join.js'));
const { slimPod, slimCiliumEndpoint } = require(path.join(build, 'objects.js'));
const { nodeNumbers, unmanagedPodsAnswer } = require(path.join(build, 'report.js'));
const { ListWatch } = require('@kubernetes/client-node');
const SYNC = args.includes('--sync');

/** A ListWatch fed from a list function, as the exporter's watchers use it (no watch is opened here). */
async function listInto(items, onAdd) {
  const neverWatch = { watch: async () => new AbortController() };
  const lw = new ListWatch('/bench', neverWatch, async () => ({ metadata: { resourceVersion: '1' }, items }), false);
  lw.on('add', onAdd);
  lw.on('update', onAdd);
  await lw.start();
  return lw;
}

/** Per-node numbers recomputed from every pod and endpoint: what a join without indexes does per event. */
function naiveRecompute(pods, endpoints) {
  const tallies = new Map();
  for (const [key, pod] of pods) {
    const cls = classifyPod(pod);
    if (cls === 'ignored') {
      continue;
    }
    let t = tallies.get(pod.node);
    if (!t) {
      t = { pods: 0, unmanaged: 0, terminating: 0 };
      tallies.set(pod.node, t);
    }
    if (cls === 'terminating') {
      t.terminating++;
    } else {
      t.pods++;
      if (!endpoints.has(key)) {
        t.unmanaged++;
      }
    }
  }
  return tallies;
}

/** Runs every measured path once on a small cluster, so the figures are not the JIT's first pass. */
function warmUp() {
  const j = new PodJoin();
  const pods = [];
  for (let i = 0; i < 5000; i++) {
    const p = slimPod(
      fullPod(NAMESPACES[i % 8], `warm-${i}`, nodeName(i % 50), i % 7 ? 'Running' : 'Pending', {
        hostNetwork: false,
        terminating: i % 50 === 0,
      })
    );
    pods.push(p);
    j.upsertPod(p);
    if (i % 3) {
      j.upsertEndpoint(slimCiliumEndpoint({ metadata: p.metadata }));
    }
  }
  for (const p of pods) {
    j.upsertPod({ ...p, phase: 'Running' });
    j.deleteEndpoint({ metadata: p.metadata });
    j.deletePod(p);
  }
  naiveRecompute(new Map(pods.map((p) => [p.metadata.name, p])), new Set());
}

async function main() {
  console.log(
    `kube-join benchmark: ${NODES.toLocaleString()} nodes × ${PODS_PER_NODE} pods${quick ? ' (--quick)' : ''}`
  );
  console.log(`machine: ${describeMachine()}`);

  // Memory: full objects as the API returns them vs slim records.
  warmUp();
  const base = heapUsed();
  let fullPods = makePods(NODES, PODS_PER_NODE);
  const withPods = heapUsed();
  let fullCeps = makeCiliumEndpoints(fullPods);
  const withFull = heapUsed();
  const fullPodBytes = withPods - base;
  const fullCepBytes = withFull - withPods;
  const fullJsonBytes = JSON.stringify(fullPods[1]).length;

  let t0 = process.hrtime.bigint();
  const slimPods = fullPods.map(slimPod);
  const slimCeps = fullCeps.map(slimCiliumEndpoint);
  const slimMs = ms(process.hrtime.bigint() - t0);
  const podCount = slimPods.length;
  const cepCount = slimCeps.length;
  fullPods = null;
  fullCeps = null;
  const slimOnly = heapUsed();

  // Initial join: both lists through ListWatch into the join.
  const join = new PodJoin();
  t0 = process.hrtime.bigint();
  const podsLw = await listInto(slimPods, (p) => join.upsertPod(p));
  const cepsLw = await listInto(slimCeps, (c) => join.upsertEndpoint(c));
  const initialMs = ms(process.hrtime.bigint() - t0);
  const withIndexes = heapUsed();
  const slimTotalBytes = withIndexes - base;

  // The same build without the ListWatch: the join alone.
  const bare = new PodJoin();
  t0 = process.hrtime.bigint();
  for (const p of slimPods) {
    bare.upsertPod(p);
  }
  for (const c of slimCeps) {
    bare.upsertEndpoint(c);
  }
  const joinOnlyMs = ms(process.hrtime.bigint() - t0);

  // Answers built from the join: every node's numbers; the unmanaged-pods answer.
  const agentNodes = Array.from({ length: NODES }, (_, i) => nodeName(i));
  const view = {
    join,
    source: 'ciliumendpoints',
    notice: null,
    inShard: () => true,
    agentNodes: () => agentNodes,
    agentSilent: () => false,
    podEndpoints: (node) => join.tally(node)?.pods ?? 0,
    syncedAt: Date.now(),
    stale: false,
  };
  const numbersMs = [];
  const answerMs = [];
  let unmanagedListed = 0;
  for (let i = 0; i < 5; i++) {
    t0 = process.hrtime.bigint();
    nodeNumbers(view);
    numbersMs.push(ms(process.hrtime.bigint() - t0));
    t0 = process.hrtime.bigint();
    unmanagedListed = unmanagedPodsAnswer(view, { node: null, namespace: null }).pods.length;
    answerMs.push(ms(process.hrtime.bigint() - t0));
  }

  // Updates: a mix of watch events, each applied and its node's numbers read back.
  const events = [];
  const byKey = new Map(slimPods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  const keys = [...byKey.keys()];
  for (let i = 0; i < UPDATES; i++) {
    const r = rand();
    const key = keys[Math.floor(rand() * keys.length)];
    const pod = byKey.get(key);
    const meta = { namespace: pod.metadata.namespace, name: pod.metadata.name };
    if (r < 0.3) {
      events.push({
        kind: 'pod',
        pod: { ...pod, metadata: { ...meta, resourceVersion: String(i) }, phase: rand() < 0.5 ? 'Running' : 'Pending' },
      });
    } else if (r < 0.45) {
      events.push({
        kind: 'pod',
        pod: { ...pod, metadata: { ...meta, resourceVersion: String(i) }, terminating: true },
      });
    } else if (r < 0.6) {
      const name = `new-${i}`;
      events.push({
        kind: 'pod',
        pod: { ...pod, metadata: { namespace: meta.namespace, name, resourceVersion: String(i) } },
      });
    } else if (r < 0.7) {
      events.push({ kind: 'delpod', pod: { metadata: meta } });
    } else if (r < 0.85) {
      events.push({ kind: 'cep', cep: { metadata: meta } });
    } else {
      events.push({ kind: 'delcep', cep: { metadata: meta } });
    }
  }
  const apply = (j, e) => {
    if (e.kind === 'pod') {
      j.upsertPod(e.pod);
    } else if (e.kind === 'delpod') {
      j.deletePod(e.pod);
    } else if (e.kind === 'cep') {
      j.upsertEndpoint(e.cep);
    } else {
      j.deleteEndpoint(e.cep);
    }
  };
  const nodeOf = (e) =>
    e.pod
      ? (byKey.get(`${e.pod.metadata.namespace}/${e.pod.metadata.name}`)?.node ?? e.pod.node)
      : byKey.get(`${e.cep.metadata.namespace}/${e.cep.metadata.name}`)?.node;
  const perUpdate = [];
  let sink = 0;
  for (const e of events) {
    const start = process.hrtime.bigint();
    apply(join, e);
    const t = join.tally(nodeOf(e) ?? '');
    sink += t ? t.pods + t.unmanaged.size + t.terminating.size : 0;
    perUpdate.push(Number(process.hrtime.bigint() - start));
  }
  perUpdate.sort((a, b) => a - b);
  const meanUpdateUs = perUpdate.reduce((a, b) => a + b, 0) / perUpdate.length / 1000;

  // Naive baseline: the same kind of event, then every node's numbers recomputed from all pods and endpoints.
  const naivePods = new Map(byKey);
  const naiveEndpoints = new Set(slimCeps.map((c) => `${c.metadata.namespace}/${c.metadata.name}`));
  const naiveMs = [];
  for (let i = 0; i < NAIVE_UPDATES; i++) {
    const e = events[i];
    const start = process.hrtime.bigint();
    const key = `${(e.pod ?? e.cep).metadata.namespace}/${(e.pod ?? e.cep).metadata.name}`;
    if (e.kind === 'pod') {
      naivePods.set(key, e.pod);
    } else if (e.kind === 'delpod') {
      naivePods.delete(key);
    } else if (e.kind === 'cep') {
      naiveEndpoints.add(key);
    } else {
      naiveEndpoints.delete(key);
    }
    const tallies = naiveRecompute(naivePods, naiveEndpoints);
    sink += tallies.size;
    naiveMs.push(ms(process.hrtime.bigint() - start));
  }
  const naiveMeanMs = naiveMs.reduce((a, b) => a + b, 0) / naiveMs.length;

  const mb = (b) => fmt(b / 1024 / 1024, 1);
  console.log('');
  console.log(
    `cluster: ${podCount.toLocaleString()} pods (${NODES.toLocaleString()} nodes), ${cepCount.toLocaleString()} CiliumEndpoints, ${unmanagedListed.toLocaleString()} unmanaged`
  );
  console.log('');
  console.log('initial join (full build from lists)');
  console.log(`  through ListWatch into the join      ${fmt(initialMs, 0)} ms`);
  console.log(`  the join alone                       ${fmt(joinOnlyMs, 0)} ms`);
  console.log(
    `  slimming the listed objects          ${fmt(slimMs, 0)} ms (${fmt((slimMs * 1000) / (podCount + cepCount), 2)} µs per object)`
  );
  console.log('');
  console.log(
    `per update (${UPDATES.toLocaleString()} watch events: pod add/delete/phase/terminating, CiliumEndpoint add/delete)`
  );
  console.log(
    `  incremental: event → node numbers    mean ${fmt(meanUpdateUs, 2)} µs, p50 ${fmt(pct(perUpdate, 0.5) / 1000, 2)} µs, p99 ${fmt(pct(perUpdate, 0.99) / 1000, 2)} µs, max ${fmt(perUpdate[perUpdate.length - 1] / 1000, 1)} µs`
  );
  console.log(`  naive full recompute per event       mean ${fmt(naiveMeanMs, 1)} ms (${NAIVE_UPDATES} events)`);
  console.log(`  ratio naive / incremental            ${fmt((naiveMeanMs * 1000) / meanUpdateUs, 0)}×`);
  console.log('');
  console.log('answers');
  console.log(`  every node's numbers (/metrics, history)   ${fmt(median(numbersMs), 1)} ms`);
  console.log(`  full unmanaged-pods answer (sorted)        ${fmt(median(answerMs), 1)} ms`);
  console.log('');
  console.log('memory (heap, after GC)');
  const fullBytes = fullPodBytes + fullCepBytes;
  console.log(
    `  full pods as listed                    ${mb(fullPodBytes)} MB (${fmt(fullPodBytes / podCount, 0)} B per pod of ${fullJsonBytes.toLocaleString()} B JSON)`
  );
  console.log(
    `  full CiliumEndpoints as listed         ${mb(fullCepBytes)} MB (${fmt(fullCepBytes / cepCount, 0)} B per CEP)`
  );
  console.log(
    `  slim records of both                   ${mb(slimOnly - base)} MB (${fmt((slimOnly - base) / (podCount + cepCount), 0)} B per object)`
  );
  console.log(`  slim records + ListWatch caches + join ${mb(slimTotalBytes)} MB`);
  console.log(`  ratio full / (slim + caches + join)    ${fmt(fullBytes / slimTotalBytes, 1)}×`);
  console.log('');
  console.log(
    `bar: well under a second per update: ${meanUpdateUs < 1000 ? 'met' : 'NOT met'} (${fmt(meanUpdateUs, 2)} µs)`
  );
  if (sink === -1) {
    console.log(podsLw, cepsLw, bare);
  }
  if (SYNC) {
    await endToEnd({ nodes: NODES, podsPerNode: PODS_PER_NODE, quick });
  }
}

main().catch((err) => {
  console.error(err.stack ?? err);
  process.exit(1);
});
