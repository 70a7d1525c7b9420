/**
 * The simulator's Hubble controls, from code (RunningSimulator.setHubble, setRelayFault) and over HTTP
 * (POST /control/hubble, /control/relay): a node's Hubble page (context form, mode, spray, endpoint fault) and the
 * Relay's faults, checked before they change anything; and the Relay's start.
 */
import type { SimulatedCluster } from '../cluster';
import { ClusterOptionsError } from '../checks';
import type { FaultBook } from '../fault-book';
import type { Fault } from '../faults';
import { HttpError, requireString } from '../http/body';
import { RELAY_FAULTS, type RelayFault, SimulatedRelay } from './relay';
import {
  HUBBLE_PAGE_MODES,
  type HubbleCluster,
  type HubblePageMode,
  MAX_SPRAY_PER_TICK,
  SIM_CONTEXT_FORMS,
  type SimContextForm,
} from './state';

/** What can change on a node's Hubble page at run time. */
export interface HubbleChange {
  form?: SimContextForm;
  mode?: HubblePageMode;
  sprayPerTick?: number;
}

/** The Hubble part of a running simulator. */
export interface HubbleHandles {
  /** The node's Hubble metrics page. */
  hubbleUrl(node: string): string;
  /** HOST:PORT of the simulated Hubble Relay, or null when it is off. */
  relayAddress: string | null;
  relay: SimulatedRelay | null;
  /** A fault on a node's Hubble metrics endpoint (the same kinds as the agent's). */
  setHubbleFault(node: string, fault: Fault): void;
  /** Changes a node's ("*": every node's) Hubble page: context form, mode (normal, unknownLabels, spray). */
  setHubble(node: string, change: HubbleChange): void;
  setRelayFault(fault: RelayFault, options?: { nodes?: string[]; count?: number; perTick?: number }): void;
}

export function hubbleHandles(
  url: string,
  cluster: SimulatedCluster,
  faults: FaultBook,
  relay: SimulatedRelay | null,
  relayAddress: string | null
): HubbleHandles {
  return {
    hubbleUrl: (node) => `${url}/hubble/${encodeURIComponent(node)}/metrics`,
    relayAddress,
    relay,
    setHubbleFault: (node, fault) => void faults.setAgent(node, fault),
    setHubble: (node, change) => requireHubble(cluster).configure(node, checkHubbleChange(change)),
    setRelayFault: (fault, extra) => {
      if (!relay) {
        throw new ClusterOptionsError('the Hubble Relay is off (start with hubbleRelay or --hubble-relay-listen)');
      }
      relay.setFault(fault, extra);
    },
  };
}

export const HUBBLE_OFF =
  'Hubble is off in this simulator: start it with --hubble (hubble: true), --hubble-context or --hubble-relay-listen';

export function requireHubble(cluster: SimulatedCluster): HubbleCluster {
  if (!cluster.hubble) {
    throw new ClusterOptionsError(HUBBLE_OFF);
  }
  return cluster.hubble;
}

/** Validates a Hubble page change from code or JSON; absent fields stay as they are. */
export function checkHubbleChange(change: HubbleChange): HubbleChange {
  const out: HubbleChange = {};
  if (change.form !== undefined) {
    if (!(SIM_CONTEXT_FORMS as readonly unknown[]).includes(change.form)) {
      throw new HttpError(400, `form must be one of ${SIM_CONTEXT_FORMS.join(', ')}`, 'form');
    }
    out.form = change.form;
  }
  if (change.mode !== undefined) {
    if (!(HUBBLE_PAGE_MODES as readonly unknown[]).includes(change.mode)) {
      throw new HttpError(400, `mode must be one of ${HUBBLE_PAGE_MODES.join(', ')}`, 'mode');
    }
    out.mode = change.mode;
  }
  if (change.sprayPerTick !== undefined) {
    const n = change.sprayPerTick;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_SPRAY_PER_TICK) {
      throw new HttpError(400, `sprayPerTick must be an integer from 0 to ${MAX_SPRAY_PER_TICK}`, 'sprayPerTick');
    }
    out.sprayPerTick = n;
  }
  return out;
}

/** POST /control/hubble: a node's ("*": every node's) page change and, with `fault`, its endpoint's fault. */
export function hubbleControl(
  cluster: SimulatedCluster,
  faults: FaultBook,
  body: Record<string, unknown>
): Record<string, unknown> {
  if (!cluster.hubble) {
    throw new HttpError(404, HUBBLE_OFF);
  }
  const node = requireString(body, 'node');
  if (body.fault !== undefined) {
    faults.setAgent(node, body.fault, { delayMs: body.delayMs, sizeMB: body.sizeMB });
  }
  const change = checkHubbleChange({
    form: body.form,
    mode: body.mode,
    sprayPerTick: body.sprayPerTick,
  } as HubbleChange);
  cluster.hubble.configure(node, change);
  return { node, ...change, ...(body.fault !== undefined ? { fault: body.fault } : {}) };
}

/** POST /control/relay: a fault of the simulated Relay (on some nodes, a count, a rate per tick). */
export function relayControl(relay: SimulatedRelay | null, body: Record<string, unknown>): Record<string, unknown> {
  if (!relay) {
    throw new HttpError(404, 'the Hubble Relay is off (start the simulator with --hubble-relay-listen)');
  }
  const fault = requireString(body, 'fault');
  if (!(RELAY_FAULTS as readonly string[]).includes(fault)) {
    throw new HttpError(400, `fault must be one of ${RELAY_FAULTS.join(', ')}`, 'fault');
  }
  const nodes = body.nodes;
  if (nodes !== undefined && (!Array.isArray(nodes) || nodes.some((n) => typeof n !== 'string'))) {
    throw new HttpError(400, 'nodes must be a list of node names', 'nodes');
  }
  const extra = {
    nodes: nodes as string[] | undefined,
    count: body.count as number | undefined,
    perTick: body.perTick as number | undefined,
  };
  try {
    relay.setFault(fault as RelayFault, extra);
  } catch (error) {
    throw new HttpError(400, (error as Error).message);
  }
  return { relay: relay.truth().address, fault };
}

/** The simulated Relay on `listen` (port 0: a free one), or none without `listen`; needs Hubble. */
export async function startRelay(
  cluster: SimulatedCluster,
  listen: { host?: string; port?: number } | undefined
): Promise<{ relay: SimulatedRelay | null; address: string | null }> {
  if (!listen) {
    return { relay: null, address: null };
  }
  if (!cluster.hubble) {
    throw new ClusterOptionsError('a Hubble Relay needs Hubble (hubble: false was given)');
  }
  const relay = new SimulatedRelay(cluster, cluster.hubble);
  try {
    return { relay, address: await relay.listen(listen.host ?? '127.0.0.1', listen.port ?? 0) };
  } catch (error) {
    await relay.close();
    throw error;
  }
}
