#!/usr/bin/env node
/**
 * The load of bench/hubble.js, in its own process so the exporter's CPU is measured alone: for N nodes and a
 * cluster-wide rate of drops, (1) every node's Hubble metrics page (pod context, a Zipf mix of workload pairs over a
 * few hundred workloads and four reasons, counters growing at the rate), and (2) a Hubble Relay streaming the same
 * rate of drop flows, each with its endpoints, port and denying policy, as GetFlows responses encoded once per pair.
 *
 * Usage (from bench/hubble.js): node bench/hubble-load.js NODES FLOWS_PER_SECOND
 * Prints one JSON line {"http":"http://127.0.0.1:port","relay":"127.0.0.1:port"} once both listen.
 */
'use strict';

const http = require('node:http');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');

const root = path.resolve(__dirname, '..');
const { observerService } = require(path.join(root, 'build', 'exporter', 'hubble', 'relay', 'proto.js'));

const NODES = Number(process.argv[2] ?? 1000);
const RATE = Number(process.argv[3] ?? 10000);
const WORKLOADS = 400;
/** Distinct workload pairs a node drops for (over four reasons). */
const PAIRS_PER_NODE = 40;
const REASONS = [
  ['POLICY_DENIED', 133, 0.7],
  ['STALE_OR_UNROUTABLE_IP', 151, 0.15],
  ['CT_MAP_INSERTION_FAILED', 155, 0.1],
  ['UNSUPPORTED_L3_PROTOCOL', 139, 0.05],
];

let seed = 12345;
function random() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x80000000;
}
function pick(n) {
  return Math.floor(random() * n);
}
const suffix = () => Array.from({ length: 5 }, () => 'bcdfghjklmnpqrstvwxz2456789'[pick(27)]).join('');
const workloads = Array.from({ length: WORKLOADS }, (_, i) => ({
  ns: `team-${i % 40}`,
  name: `svc-${i}`,
  hash: suffix() + suffix().slice(0, 4),
}));

/** Per node: pairs with Zipf weights, each with its Hubble page line prefix and its encoded flow. */
const nodes = [];
for (let n = 0; n < NODES; n++) {
  const node = `node-${String(n).padStart(4, '0')}`;
  const pairs = [];
  let total = 0;
  for (let i = 0; i < PAIRS_PER_NODE; i++) {
    const src = workloads[pick(WORKLOADS)];
    const dst = workloads[pick(WORKLOADS)];
    let r = random();
    const reason = REASONS.find(([, , share]) => (r -= share) < 0) ?? REASONS[0];
    const weight = 1 / Math.pow(i + 1, 1.2);
    total += weight;
    const srcPod = `${src.name}-${src.hash}-${suffix()}`;
    const dstPod = `${dst.name}-${dst.hash}-${suffix()}`;
    const port = [80, 443, 5432, 6379, 8080][pick(5)];
    const flow = {
      flow: {
        verdict: 'DROPPED',
        drop_reason_desc: reason[1],
        node_name: `bench/${node}`,
        traffic_direction: 'INGRESS',
        source: {
          namespace: src.ns,
          pod_name: srcPod,
          workloads: [{ name: src.name, kind: 'Deployment' }],
          labels: [`k8s:app=${src.name}`],
        },
        destination: {
          namespace: dst.ns,
          pod_name: dstPod,
          workloads: [{ name: dst.name, kind: 'Deployment' }],
          labels: [`k8s:app=${dst.name}`],
        },
        l4: { TCP: { source_port: 40000 + pick(20000), destination_port: port } },
        ingress_denied_by:
          reason[0] === 'POLICY_DENIED'
            ? [{ kind: 'CiliumNetworkPolicy', namespace: dst.ns, name: `${dst.name}-ingress`, revision: 7 }]
            : [],
      },
      node_name: `bench/${node}`,
    };
    pairs.push({
      weight,
      line: `hubble_drop_total{destination="${dst.ns}/${dstPod}",protocol="TCP",reason="${reason[0]}",source="${src.ns}/${srcPod}"} `,
      encoded: observerService().GetFlows.responseSerialize(flow),
      count: 0,
    });
  }
  pairs.forEach((p) => (p.weight /= total));
  let cumulative = 0;
  const cdf = pairs.map((p) => (cumulative += p.weight));
  nodes.push({ node, pairs, cdf, last: Date.now() });
}

/** Advances a node's counters to now: its share of the cluster-wide rate, split by weight. */
function advance(n, now) {
  const drops = ((now - n.last) / 1000) * (RATE / NODES);
  n.last = now;
  for (const p of n.pairs) {
    p.count += drops * p.weight;
  }
}

const server = http.createServer((req, res) => {
  const m = /^\/hubble\/([^/]+)\/metrics$/.exec(req.url ?? '');
  const n = m && nodes.find((x) => x.node === m[1]);
  if (!n) {
    res.writeHead(404).end();
    return;
  }
  advance(n, Date.now());
  let body = '# HELP hubble_drop_total Number of drops\n# TYPE hubble_drop_total counter\n';
  for (const p of n.pairs) {
    body += `${p.line}${Math.floor(p.count)}\n`;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body);
});
server.keepAliveTimeout = 120_000;

const streams = new Set();
const relay = new grpc.Server();
const base = observerService();
relay.addService(
  {
    GetFlows: {
      ...base.GetFlows,
      responseSerialize: (v) => (Buffer.isBuffer(v) ? v : base.GetFlows.responseSerialize(v)),
    },
  },
  {
    GetFlows: (call) => {
      streams.add(call);
      call.on('cancelled', () => streams.delete(call));
      call.write({ node_status: { state_change: 'NODE_CONNECTED', node_names: nodes.map((n) => `bench/${n.node}`) } });
    },
  }
);

// RATE flows per second, in 20 ms batches; each flow picks a node and a pair by weight.
let sent = 0;
setInterval(() => {
  const batch = Math.round(RATE / 50);
  for (const call of streams) {
    if (call.writableLength > 16 * 1024 * 1024) {
      continue;
    }
    for (let i = 0; i < batch; i++) {
      const n = nodes[pick(NODES)];
      const r = random();
      let lo = 0;
      let hi = n.cdf.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (n.cdf[mid] < r) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      call.write(n.pairs[lo].encoded);
      sent++;
    }
  }
}, 20).unref();

relay.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, relayPort) => {
  if (err) {
    throw err;
  }
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(
      JSON.stringify({ http: `http://127.0.0.1:${server.address().port}`, relay: `127.0.0.1:${relayPort}` }) + '\n'
    );
  });
});
process.on('SIGTERM', () => {
  process.stderr.write(`relay flows sent: ${sent}\n`);
  process.exit(0);
});
