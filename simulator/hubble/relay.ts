/**
 * A simulated Hubble Relay: a gRPC server of `observer.Observer/GetFlows` (the exporter's own .proto subset, same
 * wire format as Cilium's) that announces the cluster's nodes (node_status) and streams one flow per dropped packet
 * as the simulated agents count them, with the source and destination endpoints, L4 port and the denying policies.
 *
 * Faults: `cut` (every open stream ends with UNAVAILABLE), `stall` (open streams are cut and new ones get nothing,
 * not even headers), `garbage` (bytes that are not a GetFlowsResponse), `unavailable` (nodes reported
 * NODE_UNAVAILABLE, their flows not sent), `lostEvents` (one lost_events message of `count`), `spray` (`perTick` flows
 * between never-seen workloads every tick). The truth counts exactly the flows written.
 */
import * as grpc from '@grpc/grpc-js';
import { observerService } from '../../exporter/hubble/relay/proto';
import type { SimulatedCluster } from '../cluster';
import { Prng, hashSeed } from '../prng';
import type { HubbleCounter, SimEndpoint, SimFlow } from './attribution';
import { hubbleReasonCode } from './reasons';
import { type HubbleCluster, policiesText } from './state';

export const RELAY_FAULTS = ['none', 'cut', 'stall', 'garbage', 'unavailable', 'lostEvents', 'spray'] as const;
export type RelayFault = (typeof RELAY_FAULTS)[number];

/** Relay prefixes node names with the cluster name. */
export const SIM_CLUSTER_NAME = 'sim';
/** Flows queued on one stream at most; beyond, flows are not sent (counted as unsent). */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
export const MAX_RELAY_SPRAY_PER_TICK = 100_000;
/** Bytes that do not decode as a GetFlowsResponse: field 1 (flow) announced with a length beyond the message. */
const GARBAGE = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
const GARBAGE_MARK = Symbol('garbage');

export interface RelayFlowTruth extends SimFlow {
  node: string;
  flows: number;
}

export interface RelayTruth {
  address: string;
  fault: RelayFault;
  openStreams: number;
  /** GetFlows requests received (the last 20): whether they follow and which verdicts they whitelist. */
  requests: Array<{ follow: boolean; whitelistVerdicts: string[] }>;
  flows: RelayFlowTruth[];
  /** num_events_lost sent in lost_events messages, by source. */
  lostEvents: Record<string, number>;
  unavailableNodes: string[];
  /** Flows not written because a stream's queue was full. */
  unsent: number;
  sprayedNames: number;
}

interface Stream {
  call: grpc.ServerWritableStream<unknown, unknown>;
  stalled: boolean;
}

export class SimulatedRelay {
  private server: grpc.Server | null = null;
  private readonly streams = new Set<Stream>();
  private fault: RelayFault = 'none';
  private readonly unavailable = new Set<string>();
  private readonly flowTruth = new Map<string, RelayFlowTruth>();
  private readonly lost: Record<string, number> = {};
  private readonly requests: RelayTruth['requests'] = [];
  private unsent = 0;
  private sprayPerTick = 0;
  private sprayed = 0;
  private readonly rng: Prng;
  private address = '';
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly cluster: SimulatedCluster,
    hubble: HubbleCluster
  ) {
    this.rng = new Prng(hashSeed(cluster.seed, 'relay'));
    this.unsubscribe.push(hubble.onDrop((node, counter, packets) => this.onDrop(node, counter, packets)));
    this.unsubscribe.push(cluster.onTick(() => this.spray()));
  }

  /** Listens on host:port (0: any free port); resolves with "host:port". */
  async listen(host: string, port: number): Promise<string> {
    const base = observerService();
    const service: grpc.ServiceDefinition = {
      GetFlows: {
        ...base.GetFlows,
        // A Buffer is a message encoded once and written many times (one flow per dropped packet).
        responseSerialize: (value: unknown) =>
          Buffer.isBuffer(value) ? value : value === GARBAGE_MARK ? GARBAGE : base.GetFlows.responseSerialize(value),
      },
    };
    const server = new grpc.Server({ 'grpc.max_send_message_length': 1024 * 1024 });
    server.addService(service, {
      GetFlows: (call: grpc.ServerWritableStream<unknown, unknown>) => this.getFlows(call),
    });
    const hostPart = host.includes(':') ? `[${host}]` : host;
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${hostPart}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p)
      )
    );
    this.server = server;
    this.address = `${hostPart}:${bound}`;
    return this.address;
  }

  setFault(fault: RelayFault, options: { nodes?: string[]; count?: number; perTick?: number } = {}): void {
    if (!RELAY_FAULTS.includes(fault)) {
      throw new Error(`relay fault must be one of ${RELAY_FAULTS.join(', ')}`);
    }
    switch (fault) {
      case 'cut':
        this.cutAll('simulated stream cut');
        return;
      case 'lostEvents': {
        const count = options.count ?? 100;
        if (!Number.isInteger(count) || count < 1 || count > 1e12) {
          throw new Error('count must be an integer from 1 to 1e12');
        }
        this.lost.HUBBLE_RING_BUFFER = (this.lost.HUBBLE_RING_BUFFER ?? 0) + count;
        this.broadcast({ lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: count } });
        return;
      }
      case 'unavailable': {
        const nodes = options.nodes ?? [];
        nodes.forEach((n) => this.cluster.requireNode(n));
        nodes.forEach((n) => this.unavailable.add(n));
        this.broadcast(nodeStatus('NODE_UNAVAILABLE', nodes));
        break;
      }
      case 'spray': {
        const perTick = options.perTick ?? 1000;
        if (!Number.isInteger(perTick) || perTick < 0 || perTick > MAX_RELAY_SPRAY_PER_TICK) {
          throw new Error(`perTick must be an integer from 0 to ${MAX_RELAY_SPRAY_PER_TICK}`);
        }
        this.sprayPerTick = perTick;
        break;
      }
      case 'none': {
        const back = [...this.unavailable];
        this.unavailable.clear();
        this.sprayPerTick = 0;
        if (back.length) {
          this.broadcast(nodeStatus('NODE_CONNECTED', back));
        }
        break;
      }
      case 'stall':
        this.cutAll('simulated relay stall');
        break;
      case 'garbage':
        for (const s of this.streams) {
          s.call.write(GARBAGE_MARK);
        }
        break;
    }
    this.fault = fault;
  }

  truth(): RelayTruth {
    return {
      address: this.address,
      fault: this.fault,
      openStreams: this.streams.size,
      requests: [...this.requests],
      flows: [...this.flowTruth.values()].map((f) => ({ ...f })),
      lostEvents: { ...this.lost },
      unavailableNodes: [...this.unavailable].sort(),
      unsent: this.unsent,
      sprayedNames: this.sprayed,
    };
  }

  async close(): Promise<void> {
    this.unsubscribe.forEach((u) => u());
    for (const s of this.streams) {
      s.call.destroy();
    }
    this.streams.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
    }
  }

  private getFlows(call: grpc.ServerWritableStream<unknown, unknown>): void {
    const request = call.request as { follow?: boolean; whitelist?: Array<{ verdict?: string[] }> };
    this.requests.push({
      follow: request.follow === true,
      whitelistVerdicts: (request.whitelist ?? []).flatMap((f) => f.verdict ?? []),
    });
    if (this.requests.length > 20) {
      this.requests.shift();
    }
    const stream: Stream = { call, stalled: this.fault === 'stall' };
    this.streams.add(stream);
    call.on('cancelled', () => this.streams.delete(stream));
    call.on('close', () => this.streams.delete(stream));
    call.on('error', () => this.streams.delete(stream));
    if (stream.stalled) {
      return;
    }
    if (this.fault === 'garbage') {
      call.write(GARBAGE_MARK);
      return;
    }
    const nodes = this.cluster.nodeNames();
    const available = nodes.filter((n) => !this.unavailable.has(n));
    this.write(stream, nodeStatus('NODE_CONNECTED', available));
    if (this.unavailable.size) {
      this.write(stream, nodeStatus('NODE_UNAVAILABLE', [...this.unavailable]));
    }
  }

  private onDrop(node: string, counter: HubbleCounter, packets: number): void {
    const live = [...this.streams].filter((s) => !s.stalled);
    if (live.length === 0 || this.unavailable.has(node)) {
      return;
    }
    const message = encode({
      flow: flowMessage(node, counter, this.cluster.nowSeconds),
      node_name: `${SIM_CLUSTER_NAME}/${node}`,
    });
    let written = 0;
    for (let i = 0; i < packets; i++) {
      let any = false;
      for (const s of live) {
        any = this.write(s, message) || any;
      }
      written += any ? 1 : 0;
    }
    this.unsent += packets - written;
    if (written > 0) {
      const truthKey = `${node}|${counter.direction}|${counter.reason}|${counter.protocol}|${counter.port}|${workloadId(counter.source)}|${workloadId(counter.destination)}|${policiesText(counter.policies)}`;
      const t = this.flowTruth.get(truthKey);
      if (t) {
        t.flows += written;
      } else {
        this.flowTruth.set(truthKey, {
          node,
          direction: counter.direction,
          reason: counter.reason,
          protocol: counter.protocol,
          port: counter.port,
          source: { ...counter.source, pod: '' },
          destination: { ...counter.destination, pod: '' },
          policies: counter.policies,
          flows: written,
        });
      }
    }
  }

  private spray(): void {
    if (this.sprayPerTick === 0) {
      return;
    }
    const nodes = this.cluster.nodeNames();
    for (let i = 0; i < this.sprayPerTick; i++) {
      const n = ++this.sprayed;
      const name = `relay-spray-${n.toString(36)}-${this.rng.suffix(6)}`;
      const node = nodes[n % nodes.length];
      const counter: HubbleCounter = {
        key: '',
        direction: 'EGRESS',
        reason: 'Policy denied',
        protocol: 'TCP',
        port: 443,
        source: { namespace: `spray-${n % 97}`, pod: `${name}-${this.rng.suffix(5)}`, workload: name, reserved: '' },
        destination: { namespace: '', pod: '', workload: '', reserved: 'reserved:world' },
        policies: [{ kind: 'CiliumNetworkPolicy', namespace: `spray-${n % 97}`, name }],
        packets: 1,
      };
      const message = encode({
        flow: flowMessage(node, counter, this.cluster.nowSeconds),
        node_name: `${SIM_CLUSTER_NAME}/${node}`,
      });
      for (const s of this.streams) {
        if (!s.stalled) {
          this.write(s, message);
        }
      }
    }
  }

  private broadcast(message: object): void {
    for (const s of this.streams) {
      if (!s.stalled) {
        this.write(s, message);
      }
    }
  }

  /** Writes unless the stream's queue is full; false when not written. */
  private write(s: Stream, message: object | Buffer): boolean {
    if (s.call.writableLength > MAX_QUEUED_BYTES || s.call.destroyed) {
      return false;
    }
    s.call.write(message);
    return true;
  }

  private cutAll(details: string): void {
    for (const s of [...this.streams]) {
      this.streams.delete(s);
      s.call.emit('error', { code: grpc.status.UNAVAILABLE, details });
    }
  }
}

function encode(message: object): Buffer {
  return observerService().GetFlows.responseSerialize(message);
}

function workloadId(e: SimEndpoint): string {
  return e.reserved || `${e.namespace}/${e.workload}`;
}

function nodeStatus(state: string, nodes: string[]): object {
  return { node_status: { state_change: state, node_names: nodes.map((n) => `${SIM_CLUSTER_NAME}/${n}`) } };
}

function endpointMessage(e: SimEndpoint): object {
  if (e.reserved) {
    return { identity: e.reserved === 'reserved:host' ? 1 : 2, labels: [e.reserved] };
  }
  return {
    identity: 10000,
    namespace: e.namespace,
    labels: [`k8s:app=${e.workload}`, `k8s:io.kubernetes.pod.namespace=${e.namespace}`],
    pod_name: e.pod,
    workloads: [{ name: e.workload, kind: 'Deployment' }],
  };
}

function flowMessage(node: string, c: HubbleCounter, nowSeconds: number): object {
  const l4 =
    c.protocol === 'TCP' || c.protocol === 'UDP'
      ? { [c.protocol]: { source_port: 40000, destination_port: c.port ?? 0 } }
      : c.protocol === 'ICMPv4'
        ? { ICMPv4: { type: 8, code: 0 } }
        : undefined;
  const policies = c.policies.map((p) => ({ kind: p.kind, namespace: p.namespace, name: p.name, revision: 1 }));
  return {
    time: { seconds: Math.floor(nowSeconds), nanos: 0 },
    verdict: 'DROPPED',
    drop_reason_desc: hubbleReasonCode(c.reason),
    node_name: `${SIM_CLUSTER_NAME}/${node}`,
    traffic_direction: c.direction,
    source: endpointMessage(c.source),
    destination: endpointMessage(c.destination),
    ...(l4 ? { l4 } : {}),
    ...(c.direction === 'EGRESS' ? { egress_denied_by: policies } : { ingress_denied_by: policies }),
  };
}
