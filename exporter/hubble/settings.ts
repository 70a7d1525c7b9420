/**
 * The Hubble settings and how they resolve into `HubbleSettings`, or null when neither Hubble metrics nor Hubble
 * Relay is configured.
 *
 * Hubble metrics targets: `--hubble NODE=URL` (repeatable), and with `--hubble-port` one per agent: the discovered
 * agent pods' IPs (`--hubble-url-template`), and each static `--agent` URL's host on that port.
 */
import { z } from 'zod';
import { type LoadContext, type Loaded, area, optional, setting } from '../config/setting';
import { formatDurationMs } from '../config/units';
import { type StaticTargetConfig, toAgentList } from '../config/values';
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
  targets: StaticTargetConfig[];
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

const NODE_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9._]*[a-zA-Z0-9])?$/;
const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([a-zA-Z0-9.-]+)):(\d{1,5})$/;
const READINGS = ['auto', 'namespace', 'workload-name'] as const satisfies readonly BareValueReading[];

const isHttpUrl = (url: string): boolean => {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
};

const targets = z.array(z.object({ node: z.string(), url: z.string() })).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const t of list) {
    if (!NODE_NAME.test(t.node) || t.node.length > 253) {
      ctx.addIssue({ code: 'custom', message: `"${t.node}" is not a valid Kubernetes node name` });
    } else if (!isHttpUrl(t.url)) {
      ctx.addIssue({ code: 'custom', message: `"${t.url}" must be an http:// or https:// URL` });
    } else if (seen.has(t.node)) {
      ctx.addIssue({ code: 'custom', message: `node "${t.node}" is given twice` });
    }
    seen.add(t.node);
  }
});

/** An integer from min to max, with the message the option has always given. */
const between = (min: number, max: number, message: string) =>
  z.number().refine((n) => Number.isInteger(n) && n >= min && n <= max, message);

const HUBBLE_FIELDS = {
  targets: setting({
    name: 'hubble',
    kind: 'list',
    placeholder: 'NODE=URL',
    help: "a Hubble metrics URL (the agent's hubble-metrics-server, port 9965) and its node (repeatable)",
    read: toAgentList,
    schema: targets,
  }),
  port: setting({
    name: 'hubble-port',
    kind: 'integer',
    help: "scrape every agent's Hubble metrics on this port (9965 in Cilium's Helm chart): discovered agent pods, and the host of each static --agent",
    schema: z
      .number()
      .refine((p) => Number.isInteger(p) && p >= 1 && p <= 65535, {
        error: (issue) => `${String(issue.input)} is not a port (1 to 65535)`,
      })
      .optional(),
  }),
  urlTemplate: setting({
    name: 'hubble-url-template',
    kind: 'string',
    placeholder: 'TEMPLATE',
    defaultText: DEFAULT_TEMPLATE,
    help: 'Hubble metrics URL of a discovered agent; placeholders {podIP} {port} {node} {pod} {namespace}',
    schema: z.string().superRefine((t, ctx) => {
      const problem = checkUrlTemplate(t);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
  }),
  context: setting({
    name: 'hubble-context',
    kind: 'string',
    placeholder: 'MODE',
    defaultText: 'auto',
    help: 'how Hubble source/destination values without a slash are read: namespace, workload-name, or auto (namespaces unless Kubernetes knows no such namespace)',
    schema: z.enum(READINGS, {
      error: (issue) => `"${String(issue.input)}" must be auto, namespace or workload-name`,
    }),
  }),
  topK: setting({
    name: 'hubble-top-k',
    kind: 'integer',
    defaultText: String(DEFAULT_HUBBLE_TOP_K),
    help: 'workload pairs exported per node and drop reason; the rest add up in an "(other)" row',
    schema: between(1, 10_000, 'must be from 1 to 10000'),
  }),
  maxSeries: setting({
    name: 'hubble-max-series',
    kind: 'integer',
    defaultText: String(DEFAULT_HUBBLE_MAX_SERIES),
    help: 'hubble_drop_total series read per node; further series are counted as untracked',
    schema: between(1, 1_000_000, 'must be from 1 to 1000000'),
  }),
  halfLifeMs: setting({
    name: 'hubble-rank-half-life',
    kind: 'duration',
    defaultText: formatDurationMs(DEFAULT_HUBBLE_HALF_LIFE_MS),
    help: 'half-life of the drop counts that rank pairs for --hubble-top-k (a pair that stops dropping gives way after a few)',
    schema: z.number().min(1000, 'must be at least 1s'),
  }),
  relay: setting({
    name: 'hubble-relay',
    kind: 'string',
    placeholder: 'HOST:PORT',
    help: 'Hubble Relay to follow drop flows from (observer.Observer/GetFlows), for the denying policies and ports',
    schema: z
      .string()
      .transform((address) => address.trim())
      .refine(
        (address) => {
          const m = HOST_PORT.exec(address);
          return m !== null && Number(m[3]) >= 1 && Number(m[3]) <= 65535;
        },
        {
          error: (issue) =>
            `"${String(issue.input)}" must be HOST:PORT, e.g. hubble-relay.kube-system:80 or [::1]:4245`,
        }
      )
      .optional(),
  }),
  relayCaFile: setting({
    name: 'hubble-relay-ca-file',
    kind: 'string',
    placeholder: 'FILE',
    help: "CA bundle to verify Hubble Relay's certificate (turns TLS on)",
    schema: z.string().optional(),
  }),
  relayCertFile: setting({
    name: 'hubble-relay-cert-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'client certificate for Hubble Relay (mutual TLS)',
    schema: z.string().optional(),
  }),
  relayKeyFile: setting({
    name: 'hubble-relay-key-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'private key of --hubble-relay-cert-file',
    schema: z.string().optional(),
  }),
  relayTimeoutMs: setting({
    name: 'hubble-relay-timeout',
    kind: 'duration',
    defaultText: '15s',
    help: 'time Hubble Relay has to answer a GetFlows call (it announces its nodes at once) before the call is opened again',
    schema: z.number().min(100, 'must be from 100ms to 10m').max(600_000, 'must be from 100ms to 10m'),
  }),
  relayServerName: setting({
    name: 'hubble-relay-server-name',
    kind: 'string',
    placeholder: 'NAME',
    help: "name expected in Hubble Relay's certificate when it differs from HOST (e.g. ui.hubble-relay.cilium.io)",
    schema: z.string().optional(),
  }),
};

export type HubbleValues = Loaded<typeof HUBBLE_FIELDS>;

/** Hubble metrics and Hubble Relay (drops by workload); null when not configured, absent from code that omits it. */
export const HUBBLE_SETTINGS = optional(area(HUBBLE_FIELDS, (values, ctx) => resolveHubbleSettings(values, ctx)));

export function resolveHubbleSettings(values: HubbleValues, ctx: LoadContext): HubbleSettings | null {
  const { port } = values;
  if (values.targets.length === 0 && port === undefined && values.relay === undefined) {
    return null;
  }
  const targets = new Map(values.targets.map((t) => [t.node, t]));
  if (port !== undefined) {
    // Static agents (loaded before this area) are scraped for Hubble on their host at --hubble-port.
    for (const agent of ctx.value('agent') as StaticTargetConfig[]) {
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
    urlTemplate: values.urlTemplate,
    context: values.context,
    topK: values.topK,
    maxSeries: values.maxSeries,
    halfLifeMs: values.halfLifeMs,
    relay: values.relay === undefined ? null : relaySettings(values.relay, values, ctx),
  };
}

function relaySettings(address: string, values: HubbleValues, ctx: LoadContext): RelaySettings {
  // The files are read only when Relay is followed, as the certificates are of no use without it.
  const file = (name: string, path: string | undefined): Buffer | null => {
    if (path === undefined) {
      return null;
    }
    try {
      return Buffer.from(ctx.readFile(path));
    } catch (err) {
      return ctx.fail(name, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const ca = file('hubble-relay-ca-file', values.relayCaFile);
  const cert = file('hubble-relay-cert-file', values.relayCertFile);
  const key = file('hubble-relay-key-file', values.relayKeyFile);
  const serverName = values.relayServerName ?? null;
  if (Boolean(cert) !== Boolean(key)) {
    ctx.fail('hubble-relay-cert-file', 'give both --hubble-relay-cert-file and --hubble-relay-key-file, or neither');
  }
  const tls = ca || cert || serverName ? { ca, cert, key, serverName } : null;
  return { address, timeoutMs: values.relayTimeoutMs, tls };
}
