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
 * Usage: npm run build:exporter && node bench/kube-join.js [--quick] [--sync] [--nodes N] [--pods-per-node N]
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { benchExporterConfig } = require('./scale/exporter-config');
const { describeMachine } = require('./scale/proc');

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

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const ms = (ns) => Number(ns) / 1e6;
const fmt = (x, digits = 2) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** A deterministic PRNG, so every run measures the same cluster. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(42);

const NAMESPACES = ['default', 'shop', 'payments', 'search', 'batch', 'monitoring', 'kube-system', 'data'];
const nodeName = (i) => `node-${String(i).padStart(4, '0')}`;

/** A pod as the API server returns it (about 4 KB of JSON, like a typical Deployment pod). */
function fullPod(ns, name, node, phase, opts) {
  const rs = `${name.split('-').slice(0, 2).join('-')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `6f1c${Math.floor(rand() * 1e12).toString(16)}-aaaa-4bbb-8ccc-${Math.floor(rand() * 1e12).toString(16)}`,
      resourceVersion: String(1000 + Math.floor(rand() * 1e7)),
      creationTimestamp: '2024-05-01T10:00:00Z',
      ...(opts.terminating ? { deletionTimestamp: '2024-05-02T10:00:00Z', deletionGracePeriodSeconds: 30 } : {}),
      labels: { app: rs, 'pod-template-hash': '5d4f8c7b9', 'app.kubernetes.io/part-of': ns, tier: 'backend' },
      annotations: {
        'kubectl.kubernetes.io/restartedAt': '2024-05-01T09:59:00Z',
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '8080',
      },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs,
          uid: 'a1b2c3d4-0000-4000-8000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2024-05-01T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': {} },
            'f:spec': { 'f:containers': {} },
          },
        },
        {
          manager: 'kubelet',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2024-05-01T10:00:05Z',
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: {
            'f:status': {
              'f:conditions': {},
              'f:containerStatuses': {},
              'f:hostIP': {},
              'f:phase': {},
              'f:podIP': {},
              'f:podIPs': {},
              'f:startTime': {},
            },
          },
        },
      ],
    },
    spec: {
      nodeName: node,
      hostNetwork: opts.hostNetwork || undefined,
      serviceAccountName: 'default',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      containers: [
        {
          name: rs,
          image: `registry.example.com/${ns}/${rs}:1.4.2`,
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          volumeMounts: [
            {
              name: 'kube-api-access-x7k2p',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
          readinessProbe: {
            httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      volumes: [
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
                },
              },
            ],
          },
        },
      ],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: {
      phase,
      hostIP: '172.16.0.10',
      podIP:
        phase === 'Running'
          ? `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`
          : undefined,
      startTime: '2024-05-01T10:00:02Z',
      qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type,
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2024-05-01T10:00:05Z',
      })),
      containerStatuses: [
        {
          name: rs,
          ready: true,
          restartCount: 0,
          started: true,
          image: `registry.example.com/${ns}/${rs}:1.4.2`,
          imageID: `registry.example.com/${ns}/${rs}@sha256:0f3a${'9'.repeat(60)}`,
          containerID: `containerd://${'ab12'.repeat(16)}`,
          state: { running: { startedAt: '2024-05-01T10:00:04Z' } },
          lastState: {},
        },
      ],
    },
  };
}

function makePods() {
  const pods = [];
  for (let n = 0; n < NODES; n++) {
    const node = nodeName(n);
    for (let i = 0; i < PODS_PER_NODE; i++) {
      const ns = NAMESPACES[Math.floor(rand() * NAMESPACES.length)];
      const name = `app${Math.floor(rand() * 400)}-5d4f8c7b9-${n.toString(36)}x${i.toString(36)}`;
      const r = rand();
      const phase = r < 0.03 ? 'Succeeded' : r < 0.04 ? 'Pending' : 'Running';
      // Through JSON, as the client receives them: every string its own, as in a parsed response.
      pods.push(
        JSON.parse(
          JSON.stringify(fullPod(ns, name, node, phase, { hostNetwork: i === 0, terminating: rand() < 0.005 }))
        )
      );
    }
  }
  return pods;
}

/** A CiliumEndpoint for 98% of the pods that should have one. */
function makeCiliumEndpoints(pods) {
  const ceps = [];
  for (const pod of pods) {
    if (!pod.spec.hostNetwork && pod.status.phase !== 'Succeeded' && rand() > 0.02) {
      const { name, namespace } = pod.metadata;
      const cep = {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumEndpoint',
        metadata: {
          name,
          namespace,
          uid: `c3f1${Math.floor(rand() * 1e12).toString(16)}`,
          resourceVersion: String(Math.floor(rand() * 1e7)),
          generation: 1,
          creationTimestamp: '2024-05-01T10:00:03Z',
        },
        status: {
          id: 1000 + Math.floor(rand() * 3000),
          state: 'ready',
          identity: {
            id: 20000 + Math.floor(rand() * 500),
            labels: [`k8s:app=${name.split('-')[0]}`, `k8s:io.kubernetes.pod.namespace=${namespace}`],
          },
          networking: { node: '172.16.0.10', addressing: [{ ipv4: pod.status.podIP ?? '10.0.0.1' }] },
          'external-identifiers': {
            'k8s-namespace': namespace,
            'k8s-pod-name': name,
            'container-id': 'ab12'.repeat(16),
          },
          policy: {
            ingress: { enforcing: false, state: 'non-enforcing' },
            egress: { enforcing: false, state: 'non-enforcing' },
          },
          encryption: {},
        },
      };
      ceps.push(JSON.parse(JSON.stringify(cep)));
    }
  }
  return ceps;
}

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

function heapUsed() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function main() {
  console.log(
    `kube-join benchmark: ${NODES.toLocaleString()} nodes × ${PODS_PER_NODE} pods${quick ? ' (--quick)' : ''}`
  );
  console.log(`machine: ${describeMachine()}`);

  // Memory: full objects as the API returns them vs slim records.
  warmUp();
  const base = heapUsed();
  let fullPods = makePods();
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

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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
    await endToEnd();
  }
}

/** The simulator's API server and the exporter in this process: initial sync and change-to-applied latency. */
async function endToEnd() {
  const root = path.resolve(__dirname, '..', 'build');
  const { startSimulator, writeKubeconfig } = require(path.join(root, 'simulator'));
  const { startExporter } = require(path.join(root, 'exporter', 'app'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ciliumscope-bench-'));
  const sim = await startSimulator({
    nodes: NODES,
    podsPerNode: PODS_PER_NODE,
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

main().catch((err) => {
  console.error(err.stack ?? err);
  process.exit(1);
});
