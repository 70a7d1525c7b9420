/**
 * The Hubble settings: their options (appended to the exporter's option table) and how they resolve into
 * `HubbleSettings`, or null when neither Hubble metrics nor Hubble Relay is configured.
 *
 * Hubble metrics targets: `--hubble NODE=URL` (repeatable), and with `--hubble-port` one per agent: the discovered
 * agent pods' IPs (`--hubble-url-template`), and each static `--agent` URL's host on that port.
 */
import type { OptionSpec } from '../config/options';
import { formatDurationMs } from '../config/units';
import { checkUrlTemplate } from '../kube/template';
import type { BareValueReading } from './context';

export interface RelaySettings {
  /** HOST:PORT as given. */
  address: string;
  /** A GetFlows call that delivers nothing for this long after it opens is taken as stalled and opened again. */
  timeoutMs: number;
  tls: { ca: Buffer | null; cert: Buffer | null; key: Buffer | null; serverName: string | null } | null;
}

export interface HubbleSettings {
  /** Static Hubble metrics targets (--hubble), plus those derived from static agents with --hubble-port. */
  targets: Array<{ node: string; url: string }>;
  /** Port of discovered agents' Hubble metrics, or null to discover none. */
  discoverPort: number | null;
  urlTemplate: string;
  context: BareValueReading;
  topK: number;
  maxSeries: number;
  halfLifeMs: number;
  relay: RelaySettings | null;
}

export const DEFAULT_HUBBLE_TOP_K = 50;
export const DEFAULT_HUBBLE_MAX_SERIES = 5000;
export const DEFAULT_HUBBLE_HALF_LIFE_MS = 3_600_000;
const DEFAULT_TEMPLATE = 'http://{podIP}:{port}/metrics';

export const HUBBLE_OPTIONS: OptionSpec[] = [
  {
    name: 'hubble',
    kind: 'list',
    placeholder: 'NODE=URL',
    help: 'a Hubble metrics URL (the agent\'s hubble-metrics-server, port 9965) and its node (repeatable)',
  },
  {
    name: 'hubble-port',
    kind: 'integer',
    help: 'scrape every agent\'s Hubble metrics on this port (9965 in Cilium\'s Helm chart): discovered agent pods, and the host of each static --agent',
  },
  {
    name: 'hubble-url-template',
    kind: 'string',
    placeholder: 'TEMPLATE',
    defaultText: DEFAULT_TEMPLATE,
    help: 'Hubble metrics URL of a discovered agent; placeholders {podIP} {port} {node} {pod} {namespace}',
  },
  {
    name: 'hubble-context',
    kind: 'string',
    placeholder: 'MODE',
    defaultText: 'auto',
    help: 'how Hubble source/destination values without a slash are read: namespace, workload-name, or auto (namespaces unless Kubernetes knows no such namespace)',
  },
  {
    name: 'hubble-top-k',
    kind: 'integer',
    defaultText: String(DEFAULT_HUBBLE_TOP_K),
    help: 'workload pairs exported per node and drop reason; the rest add up in an "(other)" row',
  },
  {
    name: 'hubble-max-series',
    kind: 'integer',
    defaultText: String(DEFAULT_HUBBLE_MAX_SERIES),
    help: 'hubble_drop_total series read per node; further series are counted as untracked',
  },
  {
    name: 'hubble-rank-half-life',
    kind: 'duration',
    defaultText: formatDurationMs(DEFAULT_HUBBLE_HALF_LIFE_MS),
    help: 'half-life of the drop counts that rank pairs for --hubble-top-k (a pair that stops dropping gives way after a few)',
  },
  {
    name: 'hubble-relay',
    kind: 'string',
    placeholder: 'HOST:PORT',
    help: 'Hubble Relay to follow drop flows from (observer.Observer/GetFlows), for the denying policies and ports',
  },
  { name: 'hubble-relay-ca-file', kind: 'string', placeholder: 'FILE', help: 'CA bundle to verify Hubble Relay\'s certificate (turns TLS on)' },
  { name: 'hubble-relay-cert-file', kind: 'string', placeholder: 'FILE', help: 'client certificate for Hubble Relay (mutual TLS)' },
  { name: 'hubble-relay-key-file', kind: 'string', placeholder: 'FILE', help: 'private key of --hubble-relay-cert-file' },
  {
    name: 'hubble-relay-timeout',
    kind: 'duration',
    defaultText: '15s',
    help: 'time Hubble Relay has to answer a GetFlows call (it announces its nodes at once) before the call is opened again',
  },
  {
    name: 'hubble-relay-server-name',
    kind: 'string',
    placeholder: 'NAME',
    help: 'name expected in Hubble Relay\'s certificate when it differs from HOST (e.g. ui.hubble-relay.cilium.io)',
  },
];

export interface HubbleSettingsInput {
  /** The converted value of an option, or undefined when unset. */
  value: (name: string) => unknown;
  /** --hubble as NODE=URL pairs. */
  targets: Array<{ node: string; url: string }>;
  /** Static --agent targets, for --hubble-port. */
  agents: Array<{ node: string; url: string }>;
  readFile: (option: string, path: string) => Buffer;
  fail: (option: string, message: string) => never;
}

const NODE_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9._]*[a-zA-Z0-9])?$/;
const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([a-zA-Z0-9.-]+)):(\d{1,5})$/;

export function resolveHubbleSettings(input: HubbleSettingsInput): HubbleSettings | null {
  const { value, fail } = input;
  const port = value('hubble-port') as number | undefined;
  const relayAddress = value('hubble-relay') as string | undefined;
  if (input.targets.length === 0 && port === undefined && relayAddress === undefined) {
    return null;
  }
  if (port !== undefined && (port < 1 || port > 65535)) {
    fail('hubble-port', `${port} is not a port (1 to 65535)`);
  }
  const urlTemplate = String(value('hubble-url-template'));
  const templateProblem = checkUrlTemplate(urlTemplate);
  if (templateProblem) {
    fail('hubble-url-template', templateProblem);
  }
  const context = String(value('hubble-context')) as BareValueReading;
  if (context !== 'auto' && context !== 'namespace' && context !== 'workload-name') {
    fail('hubble-context', `"${context}" must be auto, namespace or workload-name`);
  }
  const topK = value('hubble-top-k') as number;
  if (topK < 1 || topK > 10_000) {
    fail('hubble-top-k', 'must be from 1 to 10000');
  }
  const maxSeries = value('hubble-max-series') as number;
  if (maxSeries < 1 || maxSeries > 1_000_000) {
    fail('hubble-max-series', 'must be from 1 to 1000000');
  }
  const halfLifeMs = value('hubble-rank-half-life') as number;
  if (halfLifeMs < 1000) {
    fail('hubble-rank-half-life', 'must be at least 1s');
  }
  const targets = new Map<string, { node: string; url: string }>();
  for (const t of input.targets) {
    checkTarget(t, fail);
    if (targets.has(t.node)) {
      fail('hubble', `node "${t.node}" is given twice`);
    }
    targets.set(t.node, t);
  }
  if (port !== undefined) {
    for (const agent of input.agents) {
      if (!targets.has(agent.node)) {
        const url = new URL(agent.url);
        url.port = String(port);
        url.pathname = '/metrics';
        url.search = '';
        targets.set(agent.node, { node: agent.node, url: url.toString() });
      }
    }
  }
  return {
    targets: [...targets.values()],
    discoverPort: port ?? null,
    urlTemplate,
    context,
    topK,
    maxSeries,
    halfLifeMs,
    relay: relayAddress === undefined ? null : relaySettings(relayAddress, input),
  };
}

function checkTarget(t: { node: string; url: string }, fail: HubbleSettingsInput['fail']): void {
  if (!NODE_NAME.test(t.node) || t.node.length > 253) {
    fail('hubble', `"${t.node}" is not a valid Kubernetes node name`);
  }
  let ok = false;
  try {
    const protocol = new URL(t.url).protocol;
    ok = protocol === 'http:' || protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) {
    fail('hubble', `"${t.url}" must be an http:// or https:// URL`);
  }
}

function relaySettings(address: string, input: HubbleSettingsInput): RelaySettings {
  const { value, fail } = input;
  const m = HOST_PORT.exec(address.trim());
  if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) {
    fail('hubble-relay', `"${address}" must be HOST:PORT, e.g. hubble-relay.kube-system:80 or [::1]:4245`);
  }
  const file = (option: string): Buffer | null => {
    const path = value(option) as string | undefined;
    return path === undefined ? null : input.readFile(option, path);
  };
  const ca = file('hubble-relay-ca-file');
  const cert = file('hubble-relay-cert-file');
  const key = file('hubble-relay-key-file');
  const serverName = (value('hubble-relay-server-name') as string | undefined) ?? null;
  if (Boolean(cert) !== Boolean(key)) {
    fail('hubble-relay-cert-file', 'give both --hubble-relay-cert-file and --hubble-relay-key-file, or neither');
  }
  const tls = ca || cert || serverName ? { ca, cert, key, serverName } : null;
  const timeoutMs = value('hubble-relay-timeout') as number;
  if (timeoutMs < 100 || timeoutMs > 600_000) {
    fail('hubble-relay-timeout', 'must be from 100ms to 10m');
  }
  return { address: address.trim(), timeoutMs, tls };
}
