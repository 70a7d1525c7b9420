/** The exporter's validated configuration and how it is built from flags, environment and a YAML file. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AnomalyConfig } from '../anomaly/params';
import { type PrometheusSettings, resolvePrometheusSettings } from '../history/prometheus/settings';
import { type HubbleSettings, resolveHubbleSettings } from '../hubble/settings';
import { type KubeSettings, resolveKubeSettings } from '../kube/settings';
import { OPTIONS, OPTION_BY_NAME, type OptionSpec, envName } from './options';
import { parseBytes, parseDurationMs } from './units';
import { ConfigError, listOf, readOptionalFile, readToken, toAgentList, toListen, toOperator, toShard } from './values';

export { ConfigError };

export interface StaticTargetConfig {
  node: string;
  url: string;
}

export interface ExporterConfig {
  agents: StaticTargetConfig[];
  /** The operator; `node` is empty when unknown. */
  operator: StaticTargetConfig | null;
  listen: { host: string; port: number };
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  maxConcurrency: number;
  maxBodyBytes: number;
  staleAfterMs: number;
  /** The bearer token read from --token-file, or null when the API is open. */
  token: string | null;
  protectMetrics: boolean;
  /** Agent series on /metrics carry their scrape's time (default true). */
  metricsTimestamps?: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  nonPodEndpoints: number;
  /** Where range queries read history; retention and cap apply to the embedded one. */
  history: { backend?: 'embedded' | 'prometheus'; retentionMs: number; maxBytes: number };
  /** The Prometheus history backend; set (only) with history.backend prometheus. */
  prometheus?: PrometheusSettings | null;
  tls: { ca: Buffer | null; cert: Buffer | null; key: Buffer | null; insecureSkipVerify: boolean };
  /** This replica's share of the nodes, or null to scrape them all. */
  shard: { index: number; count: number } | null;
  /** The drop anomaly detector's settings; always set by loadConfig, defaults when a config built in code omits it. */
  anomaly?: AnomalyConfig;
  /** Kubernetes (unmanaged pods, discovery); null or absent when not configured. */
  kube?: KubeSettings | null;
  /** Hubble metrics and Hubble Relay (drops by workload); null or absent when not configured. */
  hubble?: HubbleSettings | null;
}

type RawValue = string | string[] | number | boolean | unknown[] | Record<string, unknown>;
export type Source = { label: string; value: RawValue };

const httpUrl = z
  .string()
  .refine((u) => {
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

const configSchema = z
  .object({
    agents: z.array(z.object({ node: nodeName, url: httpUrl })),
    operator: z.object({ node: z.union([nodeName, z.literal('')]), url: httpUrl }).nullable(),
    listen: z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) }),
    scrapeIntervalMs: z.number().int().min(100, 'must be at least 100ms').max(3_600_000, 'must be at most 1h'),
    scrapeTimeoutMs: z.number().int().min(10, 'must be at least 10ms'),
    maxConcurrency: z.number().int().min(1).max(10_000),
    maxBodyBytes: z.number().int().min(1024, 'must be at least 1KiB').max(1024 ** 3, 'must be at most 1GiB'),
    staleAfterMs: z.number().int().positive(),
    token: z.string().min(1).nullable(),
    protectMetrics: z.boolean(),
    metricsTimestamps: z.boolean(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']),
    nonPodEndpoints: z.number().int().min(0).max(16),
    history: z.object({
      backend: z.enum(['embedded', 'prometheus']),
      retentionMs: z.number().int().min(60_000, 'must be at least 1m'),
      maxBytes: z.number().int().min(1024 * 1024, 'must be at least 1MiB'),
    }),
    tls: z.object({
      ca: z.instanceof(Buffer).nullable(),
      cert: z.instanceof(Buffer).nullable(),
      key: z.instanceof(Buffer).nullable(),
      insecureSkipVerify: z.boolean(),
    }),
    shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1).max(1024) }).nullable(),
    anomaly: z.object({
      windowMs: z.number().int().min(1000, 'must be at least 1s').max(30 * 86_400_000, 'must be at most 30d'),
      spreadWindowMs: z.number().int().min(1000, 'must be at least 1s').max(90 * 86_400_000, 'must be at most 90d'),
      warmupMs: z.number().int().min(0).max(30 * 86_400_000, 'must be at most 30d'),
      k: z.number().positive('must be above 0').max(1000),
      margin: z.number().min(0, 'must not be negative').max(1000),
      minRate: z.number().positive('must be above 0 packets per second').max(1e9),
      minIncrease: z.number().min(0, 'must not be negative').max(1e12),
      confirmScrapes: z.number().int().min(1, 'must be at least 1').max(60, 'must be at most 60'),
      leadFloor: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1'),
      peerMinNodes: z.number().int().min(0).max(100_000),
      peerFactor: z.number().gt(1, 'must be above 1').max(1e6),
      maxSeries: z.number().int().min(1).max(50_000_000),
      stateFile: z.string().min(1).nullable(),
    }),
    kube: z.custom<KubeSettings | null>(),
    prometheus: z.custom<PrometheusSettings | null>(),
    hubble: z.custom<HubbleSettings | null>(),
  })
  .superRefine((c, ctx) => {
    if (c.scrapeTimeoutMs > c.scrapeIntervalMs) {
      ctx.addIssue({ code: 'custom', path: ['scrapeTimeoutMs'], message: 'must not exceed scrape-interval' });
    }
    const seen = new Set<string>();
    for (const a of c.agents) {
      if (seen.has(a.node)) {
        ctx.addIssue({ code: 'custom', path: ['agents'], message: `node "${a.node}" is given twice` });
      }
      seen.add(a.node);
    }
    if (c.protectMetrics && !c.token) {
      ctx.addIssue({ code: 'custom', path: ['protectMetrics'], message: 'needs --token-file' });
    }
    if (Boolean(c.tls.cert) !== Boolean(c.tls.key)) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'give both --tls-cert-file and --tls-key-file, or neither' });
    }
    if (c.shard && c.shard.index >= c.shard.count) {
      ctx.addIssue({ code: 'custom', path: ['shard'], message: `shard index ${c.shard.index} is out of range 0..${c.shard.count - 1}` });
    }
  });

/** Which option a config path came from, for error messages in the user's terms. */
const FIELD_TO_OPTION: Record<string, string> = {
  agents: 'agent',
  operator: 'operator',
  listen: 'listen',
  scrapeIntervalMs: 'scrape-interval',
  scrapeTimeoutMs: 'scrape-timeout',
  maxConcurrency: 'max-concurrency',
  maxBodyBytes: 'max-body-bytes',
  staleAfterMs: 'stale-after',
  token: 'token-file',
  protectMetrics: 'protect-metrics',
  metricsTimestamps: 'metrics-timestamps',
  logLevel: 'log-level',
  nonPodEndpoints: 'non-pod-endpoints',
  tls: 'tls-cert-file',
  shard: 'shard',
  'history.backend': 'history-backend',
  'history.retentionMs': 'history-retention',
  'history.maxBytes': 'history-max-bytes',
  'anomaly.windowMs': 'anomaly-window',
  'anomaly.spreadWindowMs': 'anomaly-spread-window',
  'anomaly.warmupMs': 'anomaly-warmup',
  'anomaly.k': 'anomaly-k',
  'anomaly.margin': 'anomaly-margin',
  'anomaly.minRate': 'anomaly-min-rate',
  'anomaly.minIncrease': 'anomaly-min-increase',
  'anomaly.confirmScrapes': 'anomaly-confirm',
  'anomaly.leadFloor': 'anomaly-lead-floor',
  'anomaly.peerMinNodes': 'anomaly-peer-min-nodes',
  'anomaly.peerFactor': 'anomaly-peer-factor',
  'anomaly.maxSeries': 'anomaly-max-series',
  'anomaly.stateFile': 'anomaly-state-file',
};

export interface LoadInput {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Reads files (the YAML config and the token file); injectable for tests. */
  readFile?: (path: string) => string;
}

export type LoadResult = { kind: 'config'; config: ExporterConfig } | { kind: 'help' } | { kind: 'version' };

/** Flags over environment over YAML file over defaults. Throws ConfigError with a message naming the setting. */
export function loadConfig(input: LoadInput): LoadResult {
  const readFile = input.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const flags = readFlags(input.argv);
  if (flags.help) {
    return { kind: 'help' };
  }
  if (flags.version) {
    return { kind: 'version' };
  }
  const fromEnv = readEnv(input.env);
  const configPath = (flags.values.config ?? fromEnv.config)?.value as string | undefined;
  const fromFile = configPath ? readYamlFile(configPath, readFile) : {};

  const pick = (name: string): Source | undefined => {
    const option = OPTION_BY_NAME.get(name)!;
    const found = flags.values[name] ?? fromEnv[name] ?? fromFile[name];
    if (found !== undefined) {
      return found;
    }
    return option.defaultText !== undefined ? { label: `default of --${name}`, value: option.defaultText } : undefined;
  };

  const duration = (name: string): number | undefined => convert(name, pick(name));
  const fail = (option: string, message: string): never => {
    throw new ConfigError(`--${option}: ${message}`);
  };
  const scrapeIntervalMs = duration('scrape-interval')!;
  const tokenFile = pick('token-file');
  const agents = toAgentList(pick('agent'));
  const candidate = {
    agents,
    operator: toOperator(pick('operator')),
    listen: toListen(pick('listen')!),
    scrapeIntervalMs,
    scrapeTimeoutMs: duration('scrape-timeout') ?? Math.min(10_000, scrapeIntervalMs),
    maxConcurrency: convert('max-concurrency', pick('max-concurrency')),
    maxBodyBytes: convert('max-body-bytes', pick('max-body-bytes')),
    staleAfterMs: duration('stale-after') ?? scrapeIntervalMs * 3,
    token: tokenFile ? readToken(String(tokenFile.value), readFile) : null,
    protectMetrics: convert('protect-metrics', pick('protect-metrics')),
    metricsTimestamps: convert<boolean>('metrics-timestamps', pick('metrics-timestamps')),
    logLevel: String(pick('log-level')!.value),
    nonPodEndpoints: convert('non-pod-endpoints', pick('non-pod-endpoints')),
    history: {
      backend: String(pick('history-backend')!.value),
      retentionMs: duration('history-retention'),
      maxBytes: convert('history-max-bytes', pick('history-max-bytes')),
    },
    tls: {
      ca: readOptionalFile('tls-ca-file', pick('tls-ca-file'), readFile),
      cert: readOptionalFile('tls-cert-file', pick('tls-cert-file'), readFile),
      key: readOptionalFile('tls-key-file', pick('tls-key-file'), readFile),
      insecureSkipVerify: convert<boolean>('tls-insecure-skip-verify', pick('tls-insecure-skip-verify')),
    },
    shard: toShard(pick('shard')),
    anomaly: {
      windowMs: duration('anomaly-window'),
      spreadWindowMs: duration('anomaly-spread-window'),
      warmupMs: duration('anomaly-warmup'),
      k: convert('anomaly-k', pick('anomaly-k')),
      margin: convert('anomaly-margin', pick('anomaly-margin')),
      minRate: convert('anomaly-min-rate', pick('anomaly-min-rate')),
      minIncrease: convert('anomaly-min-increase', pick('anomaly-min-increase')),
      confirmScrapes: convert('anomaly-confirm', pick('anomaly-confirm')),
      leadFloor: convert('anomaly-lead-floor', pick('anomaly-lead-floor')),
      peerMinNodes: convert('anomaly-peer-min-nodes', pick('anomaly-peer-min-nodes')),
      peerFactor: convert('anomaly-peer-factor', pick('anomaly-peer-factor')),
      maxSeries: convert('anomaly-max-series', pick('anomaly-max-series')),
      stateFile: pick('anomaly-state-file') ? String(pick('anomaly-state-file')!.value) : null,
    },
    kube: resolveKubeSettings({ value: (name) => convert<unknown>(name, pick(name)), env: input.env, fail }),
    prometheus: resolvePrometheusSettings({ value: (name) => convert<unknown>(name, pick(name)), list: (name) => listOf(pick(name)), fail, readFile, scrapeIntervalMs }),
    hubble: resolveHubbleSettings({
      value: (name) => convert<unknown>(name, pick(name)),
      targets: toAgentList(pick('hubble')),
      agents,
      readFile: (option, path) => readOptionalFile(option, { label: `--${option}`, value: path }, readFile)!,
      fail,
    }),
  };
  const parsed = configSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((p) => typeof p === 'string').join('.');
    const option = FIELD_TO_OPTION[path] ?? FIELD_TO_OPTION[path.split('.')[0]] ?? path;
    throw new ConfigError(`--${option}: ${issue.message}`);
  }
  return { kind: 'config', config: parsed.data as ExporterConfig };
}

function readFlags(argv: string[]): { values: Record<string, Source>; help: boolean; version: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
    version: { type: 'boolean' },
  };
  for (const o of OPTIONS) {
    options[o.name] = { type: o.kind === 'boolean' ? 'boolean' : 'string', multiple: o.kind === 'list' };
  }
  // A boolean flag also takes an explicit value, --discover=false, read like the same setting from the environment.
  const values: Record<string, Source> = {};
  const rest = argv.filter((arg) => {
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (m && OPTION_BY_NAME.get(m[1])?.kind === 'boolean') {
      values[m[1]] = { label: `--${m[1]}`, value: m[2] };
      return false;
    }
    return true;
  });
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\. To specify a positional.*$/, '')} (see --help)`);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (name !== 'help' && name !== 'version' && value !== undefined) {
      values[name] = { label: `--${name}`, value: value as RawValue };
    }
  }
  return { values, help: Boolean(parsed.values.help), version: Boolean(parsed.values.version) };
}

function readEnv(env: NodeJS.ProcessEnv): Record<string, Source> {
  const values: Record<string, Source> = {};
  for (const o of OPTIONS) {
    const name = envName(o);
    const value = env[name];
    if (value !== undefined && value !== '') {
      // Lists in the environment are comma-separated: CILIUMSCOPE_AGENT="n1=http://a:9962/metrics,n2=..."
      values[o.name] = { label: name, value: o.kind === 'list' ? value.split(',').map((s) => s.trim()) : value };
    }
  }
  return values;
}

function readYamlFile(path: string, readFile: (p: string) => string): Record<string, Source> {
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    throw new ConfigError(`--config: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`--config: ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) {
    return {};
  }
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`--config: ${path} must be a mapping of setting names to values`);
  }
  const values: Record<string, Source> = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!OPTION_BY_NAME.has(key) || key === 'config') {
      throw new ConfigError(`--config: ${path}: unknown setting "${key}" (see --help for the names)`);
    }
    values[key] = { label: `${path}: ${key}`, value: value as RawValue };
  }
  return values;
}

function convert<T = number>(name: string, source: Source | undefined): T {
  if (source === undefined) {
    return undefined as T;
  }
  const option: OptionSpec = OPTION_BY_NAME.get(name)!;
  const { value, label } = source;
  const text = String(value).trim();
  const fail = (what: string): never => {
    throw new ConfigError(`${label}: "${text}" is not ${what}`);
  };
  switch (option.kind) {
    case 'duration':
      return (parseDurationMs(text) ?? fail('a duration (examples: 30s, 1m30s, 500ms)')) as T;
    case 'bytes':
      return (parseBytes(text) ?? fail('a size (examples: 16MiB, 500kB, 1048576)')) as T;
    case 'integer':
      return (/^-?\d+$/.test(text) ? Number(text) : fail('an integer')) as T;
    case 'number':
      return (Number.isFinite(Number(text)) && text !== '' ? Number(text) : fail('a number')) as T;
    case 'boolean':
      if (typeof value === 'boolean') {
        return value as T;
      }
      return (/^(true|1|yes)$/i.test(text) ? true : /^(false|0|no)$/i.test(text) ? false : fail('true or false')) as T;
    default:
      return text as T;
  }
}
