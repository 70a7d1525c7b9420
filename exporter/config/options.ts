/**
 * Every setting of the exporter, once: its flag, environment variable, YAML key, kind and help. The loader reads
 * flags, environment and the YAML file through this table, and `--help` prints it, so the three never disagree.
 */

import { DEFAULT_ANOMALY_PARAMS } from '../anomaly/params';
import { HISTORY_BACKEND_OPTION, PROMETHEUS_OPTIONS } from '../history/prometheus/settings';
import { HUBBLE_OPTIONS } from '../hubble/settings';
import { KUBE_OPTIONS } from '../kube/settings';
import { formatDurationMs } from './units';

export type OptionKind = 'string' | 'duration' | 'bytes' | 'integer' | 'number' | 'boolean' | 'list';

export interface OptionSpec {
  /** Flag name without dashes; also the YAML key. */
  name: string;
  kind: OptionKind;
  /** Shown in --help. */
  help: string;
  /** Shown in --help as the value placeholder. */
  placeholder?: string;
  /** Default as text, parsed like user input; undefined means unset. */
  defaultText?: string;
}

export const OPTIONS: OptionSpec[] = [
  { name: 'config', kind: 'string', placeholder: 'FILE', help: 'YAML file with any of these settings (keys as the flag names)' },
  {
    name: 'agent',
    kind: 'list',
    placeholder: 'NODE=URL',
    help: 'a Cilium agent metrics URL and the Kubernetes node it runs on (repeatable)',
  },
  { name: 'operator', kind: 'string', placeholder: '[NODE=]URL', help: 'the Cilium operator metrics URL' },
  { name: 'listen', kind: 'string', placeholder: 'HOST:PORT', defaultText: '0.0.0.0:9967', help: 'address to serve /metrics and the API on' },
  { name: 'scrape-interval', kind: 'duration', defaultText: '30s', help: 'time between scrape cycles' },
  { name: 'scrape-timeout', kind: 'duration', help: 'per-target timeout, at most the interval (default: 10s or the interval if shorter)' },
  { name: 'max-concurrency', kind: 'integer', defaultText: '64', help: 'targets scraped at the same time' },
  { name: 'max-body-bytes', kind: 'bytes', defaultText: '16MiB', help: 'largest metrics page accepted (after gzip)' },
  {
    name: 'stale-after',
    kind: 'duration',
    help: 'age after which a target\'s last good data is marked stale (default: 3 scrape intervals)',
  },
  {
    name: 'token-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'file holding a bearer token; when set, every /api/ route requires "Authorization: Bearer <token>"',
  },
  { name: 'protect-metrics', kind: 'boolean', defaultText: 'false', help: 'also require the token on /metrics' },
  {
    name: 'metrics-timestamps',
    kind: 'boolean',
    defaultText: 'true',
    help: "stamp the series read from an agent with the time of its scrape, so Prometheus stores the samples the exporter's history holds (false: Prometheus's own scrape time)",
  },
  { name: 'log-level', kind: 'string', defaultText: 'info', help: 'debug, info, warn, error or silent' },
  {
    name: 'non-pod-endpoints',
    kind: 'integer',
    defaultText: '2',
    help: 'endpoints per agent that are not pods (host and health), subtracted when comparing with pods',
  },
  { name: 'tls-ca-file', kind: 'string', placeholder: 'FILE', help: 'CA bundle to verify agents\' and the operator\'s TLS certificates' },
  { name: 'tls-cert-file', kind: 'string', placeholder: 'FILE', help: 'client certificate for scraping over mutual TLS' },
  { name: 'tls-key-file', kind: 'string', placeholder: 'FILE', help: 'private key of --tls-cert-file' },
  {
    name: 'tls-insecure-skip-verify',
    kind: 'boolean',
    defaultText: 'false',
    help: 'scrape https:// targets without verifying their certificates (not for production)',
  },
  {
    name: 'shard',
    kind: 'string',
    placeholder: 'N/M',
    help: 'scrape only the nodes whose name hashes to shard N of M (0-based), so M replicas split a large cluster',
  },
  HISTORY_BACKEND_OPTION,
  { name: 'history-retention', kind: 'duration', defaultText: '3h', help: 'how long the embedded history keeps points' },
  {
    name: 'history-max-bytes',
    kind: 'bytes',
    defaultText: '192MiB',
    help: 'hard cap on the embedded history\'s memory; retention shrinks to fit',
  },
  ...PROMETHEUS_OPTIONS,
  {
    name: 'anomaly-window',
    kind: 'duration',
    defaultText: formatDurationMs(DEFAULT_ANOMALY_PARAMS.windowMs),
    help: 'span of the drop anomaly baseline (weighted mean of each drop rate); also the oldest state file accepted',
  },
  {
    name: 'anomaly-spread-window',
    kind: 'duration',
    defaultText: formatDurationMs(DEFAULT_ANOMALY_PARAMS.spreadWindowMs),
    help: 'span of the drop rates\' spread (weighted variance), long so that rare bursts are remembered',
  },
  {
    name: 'anomaly-warmup',
    kind: 'duration',
    defaultText: formatDurationMs(DEFAULT_ANOMALY_PARAMS.warmupMs),
    help: 'time a node is watched before its drop series may alert (state restored from --anomaly-state-file counts)',
  },
  {
    name: 'anomaly-k',
    kind: 'number',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.k),
    help: 'spreads above the baseline where the upper band sits',
  },
  {
    name: 'anomaly-margin',
    kind: 'number',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.margin),
    help: 'relative margin: the upper band is at least baseline × (1 + margin)',
  },
  {
    name: 'anomaly-min-rate',
    kind: 'number',
    placeholder: 'PPS',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.minRate),
    help: 'floor of the upper band in packets per second',
  },
  {
    name: 'anomaly-min-increase',
    kind: 'number',
    placeholder: 'PACKETS',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.minIncrease),
    help: 'packets above the baseline within one scrape interval before it can count as anomalous',
  },
  {
    name: 'anomaly-confirm',
    kind: 'integer',
    placeholder: 'SCRAPES',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.confirmScrapes),
    help: 'consecutive scrapes above the band before the anomaly score reaches 1',
  },
  {
    name: 'anomaly-lead-floor',
    kind: 'number',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.leadFloor),
    help: 'the first scrape of a run above the band needs only this share of the band\'s floors (a partial interval)',
  },
  {
    name: 'anomaly-peer-min-nodes',
    kind: 'integer',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.peerMinNodes),
    help: 'nodes reporting a direction × reason before they are compared with each other (0: no peer comparison)',
  },
  {
    name: 'anomaly-peer-factor',
    kind: 'number',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.peerFactor),
    help: 'a node far above its peers is anomalous: above this many times their median baseline (or min rate)',
  },
  {
    name: 'anomaly-max-series',
    kind: 'integer',
    defaultText: String(DEFAULT_ANOMALY_PARAMS.maxSeries),
    help: 'drop series (node × direction × reason) the anomaly detector keeps state for at most',
  },
  {
    name: 'anomaly-state-file',
    kind: 'string',
    placeholder: 'FILE',
    help: 'file the anomaly detector saves its state to (atomically, every 10 cycles, at shutdown) and loads at start',
  },
  ...KUBE_OPTIONS,
  ...HUBBLE_OPTIONS,
];

export const OPTION_BY_NAME: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.name, o]));

/** CILIUMSCOPE_SCRAPE_INTERVAL for scrape-interval. */
export function envName(option: OptionSpec): string {
  return 'CILIUMSCOPE_' + option.name.toUpperCase().replace(/-/g, '_');
}

/** Width of the flag column of --help: the longest flag with its placeholder. */
const FLAG_COLUMN = 38;

export function renderHelp(program: string): string {
  const lines = [`Usage: ${program} [options]`, '', 'Options (also settable as environment variables and YAML keys):'];
  for (const o of OPTIONS) {
    const flag = `--${o.name}${o.kind === 'boolean' ? '' : ' ' + (o.placeholder ?? o.kind.toUpperCase())}`;
    const dflt = o.defaultText !== undefined ? ` (default ${o.defaultText})` : '';
    lines.push(`  ${flag.padEnd(FLAG_COLUMN)} ${o.help}${dflt}`, `  ${''.padEnd(FLAG_COLUMN)} env ${envName(o)}`);
  }
  lines.push(`  ${'--help'.padEnd(FLAG_COLUMN)} this text`, `  ${'--version'.padEnd(FLAG_COLUMN)} the exporter version`);
  return lines.join('\n');
}
