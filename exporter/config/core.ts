/** The exporter's own settings: its targets, scraping, serving and the API token, TLS to the targets, sharding. */
import { z } from 'zod';
import { type Complaint, type Loaded, group, optional, setting } from './setting';
import { readOptionalFile, readToken, toAgentList, toListen, toOperator, toShard } from './values';

const httpUrl = z.string().refine((u) => {
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

const nodeName = z
  .string()
  .min(1, 'node name is empty')
  .max(253)
  .regex(/^[a-zA-Z0-9]([-a-zA-Z0-9._]*[a-zA-Z0-9])?$/, 'is not a valid Kubernetes node name');

const agents = z.array(z.object({ node: nodeName, url: httpUrl })).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const a of list) {
    if (seen.has(a.node)) {
      ctx.addIssue({ code: 'custom', message: `node "${a.node}" is given twice` });
    }
    seen.add(a.node);
  }
});

const shard = z
  .object({ index: z.number().int().min(0), count: z.number().int().min(1).max(1024) })
  .nullable()
  .superRefine((s, ctx) => {
    if (s && s.index >= s.count) {
      ctx.addIssue({ code: 'custom', message: `shard index ${s.index} is out of range 0..${s.count - 1}` });
    }
  });

const certificateFile = (name: string, help: string) =>
  setting({
    name,
    kind: 'string',
    placeholder: 'FILE',
    help,
    read: (source, ctx) => readOptionalFile(ctx.name, source, ctx.readFile),
    schema: z.instanceof(Buffer).nullable(),
  });

const TLS = group(
  {
    ca: certificateFile('tls-ca-file', "CA bundle to verify agents' and the operator's TLS certificates"),
    cert: certificateFile('tls-cert-file', 'client certificate for scraping over mutual TLS'),
    key: certificateFile('tls-key-file', 'private key of --tls-cert-file'),
    insecureSkipVerify: setting({
      name: 'tls-insecure-skip-verify',
      kind: 'boolean',
      defaultText: 'false',
      help: 'scrape https:// targets without verifying their certificates (not for production)',
      schema: z.boolean(),
    }),
  },
  (tls) =>
    Boolean(tls.cert) !== Boolean(tls.key)
      ? { name: 'tls-cert-file', message: 'give both --tls-cert-file and --tls-key-file, or neither' }
      : undefined
);

export const CORE_SETTINGS = {
  agents: setting({
    name: 'agent',
    kind: 'list',
    placeholder: 'NODE=URL',
    help: 'a Cilium agent metrics URL and the Kubernetes node it runs on (repeatable)',
    read: toAgentList,
    schema: agents,
  }),
  /** The operator; `node` is empty when unknown. */
  operator: setting({
    name: 'operator',
    kind: 'string',
    placeholder: '[NODE=]URL',
    help: 'the Cilium operator metrics URL',
    read: toOperator,
    schema: z.object({ node: z.union([nodeName, z.literal('')]), url: httpUrl }).nullable(),
  }),
  listen: setting({
    name: 'listen',
    kind: 'string',
    placeholder: 'HOST:PORT',
    defaultText: '0.0.0.0:9967',
    help: 'address to serve /metrics and the API on',
    read: (source) => toListen(source!),
    schema: z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) }),
  }),
  scrapeIntervalMs: setting({
    name: 'scrape-interval',
    kind: 'duration',
    defaultText: '30s',
    help: 'time between scrape cycles',
    schema: z.number().int().min(100, 'must be at least 100ms').max(3_600_000, 'must be at most 1h'),
  }),
  scrapeTimeoutMs: setting({
    name: 'scrape-timeout',
    kind: 'duration',
    help: 'per-target timeout, at most the interval (default: 10s or the interval if shorter)',
    fallback: (ctx) => Math.min(10_000, ctx.value('scrape-interval') as number),
    schema: z.number().int().min(10, 'must be at least 10ms'),
  }),
  maxConcurrency: setting({
    name: 'max-concurrency',
    kind: 'integer',
    defaultText: '64',
    help: 'targets scraped at the same time',
    schema: z.number().int().min(1).max(10_000),
  }),
  maxBodyBytes: setting({
    name: 'max-body-bytes',
    kind: 'bytes',
    defaultText: '16MiB',
    help: 'largest metrics page accepted (after gzip)',
    schema: z
      .number()
      .int()
      .min(1024, 'must be at least 1KiB')
      .max(1024 ** 3, 'must be at most 1GiB'),
  }),
  staleAfterMs: setting({
    name: 'stale-after',
    kind: 'duration',
    help: "age after which a target's last good data is marked stale (default: 3 scrape intervals)",
    fallback: (ctx) => (ctx.value('scrape-interval') as number) * 3,
    schema: z.number().int().positive(),
  }),
  /** The bearer token read from --token-file, or null when the API is open. */
  token: setting({
    name: 'token-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'file holding a bearer token; when set, every /api/ route requires "Authorization: Bearer <token>"',
    read: (source, ctx) => (source ? readToken(String(source.value), ctx.readFile) : null),
    schema: z.string().min(1).nullable(),
  }),
  protectMetrics: setting({
    name: 'protect-metrics',
    kind: 'boolean',
    defaultText: 'false',
    help: 'also require the token on /metrics',
    schema: z.boolean(),
  }),
  /** Agent series on /metrics carry their scrape's time (default true). */
  metricsTimestamps: optional(
    setting({
      name: 'metrics-timestamps',
      kind: 'boolean',
      defaultText: 'true',
      help: "stamp the series read from an agent with the time of its scrape, so Prometheus stores the samples the exporter's history holds (false: Prometheus's own scrape time)",
      schema: z.boolean(),
    })
  ),
  logLevel: setting({
    name: 'log-level',
    kind: 'string',
    defaultText: 'info',
    help: 'debug, info, warn, error or silent',
    schema: z.enum(['debug', 'info', 'warn', 'error', 'silent']),
  }),
  nonPodEndpoints: setting({
    name: 'non-pod-endpoints',
    kind: 'integer',
    defaultText: '2',
    help: 'endpoints per agent that are not pods (host and health), subtracted when comparing with pods',
    schema: z.number().int().min(0).max(16),
  }),
  tls: TLS,
  /** This replica's share of the nodes, or null to scrape them all. */
  shard: setting({
    name: 'shard',
    kind: 'string',
    placeholder: 'N/M',
    help: 'scrape only the nodes whose name hashes to shard N of M (0-based), so M replicas split a large cluster',
    read: toShard,
    schema: shard,
  }),
};

/** Rules across the settings above, checked once the whole configuration is loaded. */
export function checkCore(c: Loaded<typeof CORE_SETTINGS>): Complaint | undefined {
  if (c.scrapeTimeoutMs > c.scrapeIntervalMs) {
    return { name: 'scrape-timeout', message: 'must not exceed scrape-interval' };
  }
  if (c.protectMetrics && !c.token) {
    return { name: 'protect-metrics', message: 'needs --token-file' };
  }
  return undefined;
}
