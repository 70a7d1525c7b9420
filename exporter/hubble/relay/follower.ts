/**
 * Follows Hubble Relay's drop flows: one `observer.Observer/GetFlows` call with `follow: true` and a whitelist of
 * `verdict: DROPPED`, kept open for as long as the exporter runs. Each response is a flow (handed to `onFlow`), a
 * node status (Relay's view of which agents it reaches) or lost events (flows Hubble could not deliver, counted by
 * source).
 *
 * Faults: a call that ends, fails, or says nothing within --hubble-relay-timeout (Relay announces its nodes as it
 * starts a call, so silence means a stalled peer) is cancelled and opened again after an exponential backoff with
 * jitter (1 s doubling to 1 min; reset once a call delivers). A response that does not decode (garbage) fails the
 * call the same way. Messages are capped at 1 MiB; keepalive pings find a dead connection. Every fault is counted
 * by kind and the last one is shown in /api/v1/status.
 */
import * as grpc from '@grpc/grpc-js';
import { Backoff } from '../../kube/backoff';
import type { Logger } from '../../log';
import type { RelaySettings } from '../settings';
import { observerClient } from './proto';
import { type WireFlow, nodeOfRelayName } from './flows';

export type RelayState = 'connecting' | 'streaming' | 'backoff' | 'closed';

export interface RelayNodeState {
  state: string;
  message: string;
}

export interface RelayFollowerStatus {
  address: string;
  tls: boolean;
  state: RelayState;
  /** A call is open and has delivered at least one message. */
  connected: boolean;
  error: string | null;
  lastMessageAt: number | null;
  /** When the current call delivered its first message. */
  streamingSince: number | null;
  flows: number;
  lostEvents: Record<string, number>;
  /** Calls opened again after a fault. */
  reconnects: number;
  /** Faults by kind: the gRPC status name (UNAVAILABLE, INTERNAL...), `ended` or `silent`. */
  errors: Record<string, number>;
  /** Relay's last word on each node it reported, by node name without Relay's cluster prefix (at most maxNodes). */
  nodes: ReadonlyMap<string, RelayNodeState>;
}

export interface RelayFollowerOptions {
  settings: RelaySettings;
  onFlow: (flow: WireFlow, node: string | undefined) => void;
  log: Logger;
  now?: () => number;
  backoff?: { initialMs: number; maxMs: number };
  /** Nodes whose status is kept at most. */
  maxNodes?: number;
}

interface GetFlowsResponse {
  response_types?: 'flow' | 'node_status' | 'lost_events';
  flow?: WireFlow;
  node_status?: { state_change?: string | number; node_names?: string[]; message?: string };
  lost_events?: { source?: string | number; num_events_lost?: number };
  node_name?: string;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

export class RelayFollower {
  private readonly client: grpc.Client & { GetFlows: (req: object) => grpc.ClientReadableStream<GetFlowsResponse> };
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private call: grpc.ClientReadableStream<GetFlowsResponse> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The status as it changes; the rest is derived when asked. */
  private readonly s: Omit<RelayFollowerStatus, 'address' | 'tls' | 'connected' | 'nodes'> = {
    state: 'connecting',
    error: null,
    lastMessageAt: null,
    streamingSince: null,
    flows: 0,
    lostEvents: {},
    reconnects: 0,
    errors: {},
  };
  private readonly nodeStates = new Map<string, RelayNodeState>();

  constructor(private readonly options: RelayFollowerOptions) {
    this.now = options.now ?? Date.now;
    this.backoff = new Backoff(options.backoff ?? { initialMs: 1000, maxMs: 60_000 });
    const { tls } = options.settings;
    const credentials = tls ? grpc.credentials.createSsl(tls.ca, tls.key, tls.cert) : grpc.credentials.createInsecure();
    const channelOptions: grpc.ChannelOptions = {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': 1000,
      'grpc.max_reconnect_backoff_ms': 60_000,
    };
    if (tls?.serverName) {
      channelOptions['grpc.ssl_target_name_override'] = tls.serverName;
      channelOptions['grpc.default_authority'] = tls.serverName;
    }
    const Client = observerClient();
    this.client = new Client(
      options.settings.address,
      credentials,
      channelOptions
    ) as unknown as RelayFollower['client'];
  }

  start(): void {
    if (!this.closed && this.call === null && this.timer === null) {
      this.open();
    }
  }

  close(): void {
    this.closed = true;
    this.s.state = 'closed';
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.call?.cancel();
    this.call = null;
    this.client.close();
  }

  status(): RelayFollowerStatus {
    return {
      address: this.options.settings.address,
      tls: this.options.settings.tls !== null,
      state: this.s.state,
      connected: this.s.state === 'streaming',
      error: this.s.error,
      lastMessageAt: this.s.lastMessageAt,
      streamingSince: this.s.streamingSince,
      flows: this.s.flows,
      lostEvents: { ...this.s.lostEvents },
      reconnects: this.s.reconnects,
      errors: { ...this.s.errors },
      nodes: this.nodeStates,
    };
  }

  private open(): void {
    this.timer = null;
    this.s.state = 'connecting';
    const call = this.client.GetFlows({ follow: true, whitelist: [{ verdict: ['DROPPED'] }] });
    this.call = call;
    let first = true;
    let finished = false;
    const silence = setTimeout(() => {
      if (first && !finished) {
        finish('silent', `Hubble Relay sent nothing within ${this.firstMessageTimeoutMs / 1000}s of the GetFlows call`);
        call.cancel();
      }
    }, this.firstMessageTimeoutMs);
    silence.unref?.();
    const finish = (kind: string, message: string): void => {
      if (finished) {
        return;
      }
      finished = true;
      clearTimeout(silence);
      if (this.call === call) {
        this.call = null;
      }
      if (this.closed) {
        return;
      }
      this.s.errors[kind] = (this.s.errors[kind] ?? 0) + 1;
      this.s.error = message;
      this.s.state = 'backoff';
      this.s.streamingSince = null;
      this.s.reconnects++;
      const delay = this.backoff.next();
      this.options.log.warn(
        { relay: this.options.settings.address, kind, error: message, retryInMs: delay },
        'Hubble Relay stream lost'
      );
      this.timer = setTimeout(() => this.open(), delay);
      this.timer.unref?.();
    };
    call.on('data', (response: GetFlowsResponse) => {
      if (finished) {
        return;
      }
      const at = this.now();
      if (first) {
        first = false;
        clearTimeout(silence);
        this.backoff.reset();
        this.s.state = 'streaming';
        this.s.streamingSince = at;
        this.s.error = null;
        this.options.log.info({ relay: this.options.settings.address }, 'following Hubble Relay drop flows');
      }
      this.s.lastMessageAt = at;
      this.handle(response);
    });
    call.on('error', (err: grpc.ServiceError) => {
      const kind = grpc.status[err.code] ?? 'UNKNOWN';
      finish(kind, `${kind}: ${err.details || err.message}`);
    });
    call.on('end', () => finish('ended', 'Hubble Relay ended the GetFlows stream'));
  }

  private get firstMessageTimeoutMs(): number {
    return this.options.settings.timeoutMs;
  }

  private handle(response: GetFlowsResponse): void {
    switch (response.response_types) {
      case 'flow':
        if (response.flow) {
          this.s.flows++;
          this.options.onFlow(response.flow, response.node_name);
        }
        return;
      case 'lost_events': {
        const source = String(response.lost_events?.source ?? 'UNKNOWN_LOST_EVENT_SOURCE');
        const lost = Number(response.lost_events?.num_events_lost ?? 0);
        if (Number.isFinite(lost) && lost > 0) {
          this.s.lostEvents[source] = (this.s.lostEvents[source] ?? 0) + lost;
        }
        return;
      }
      case 'node_status': {
        const status = response.node_status;
        const state = String(status?.state_change ?? 'UNKNOWN_NODE_STATE');
        for (const name of (status?.node_names ?? []).map(nodeOfRelayName)) {
          if (this.nodeStates.has(name) || this.nodeStates.size < (this.options.maxNodes ?? 5000)) {
            this.nodeStates.set(name, { state, message: (status?.message ?? '').slice(0, 256) });
          }
        }
        return;
      }
    }
  }
}
