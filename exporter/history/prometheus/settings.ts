/**
 * The settings of the Prometheus history backend: their options (merged into the exporter's option table) and how
 * they resolve into `PrometheusSettings`, or null with the embedded history. Secrets come from files, never flags;
 * a URL with credentials in it is refused for that reason.
 */
import type { OptionSpec } from '../../config/options';

export interface PrometheusSettings {
  /** Base URL of the HTTP API, without a trailing slash: `<url>/api/v1/query_range`. */
  url: string;
  bearerToken: string | null;
  basicAuth: { username: string; password: string } | null;
  ca: Buffer | null;
  headers: Array<[string, string]>;
  timeoutMs: number;
  /** How often Prometheus scrapes the exporters: the minimum step, and with --scrape-interval the windows. */
  scrapeIntervalMs: number;
  maxSeries: number;
  maxResponseBytes: number;
  /** Requests to Prometheus in flight for one API request. */
  maxConcurrency: number;
}

export const HISTORY_BACKEND_OPTION: OptionSpec = {
  name: 'history-backend',
  kind: 'string',
  placeholder: 'embedded|prometheus',
  defaultText: 'embedded',
  help: 'where range queries read history: the embedded rings (one process, hours) or a Prometheus-compatible server (--prometheus-url) holding every exporter\'s series',
};

export const PROMETHEUS_OPTIONS: OptionSpec[] = [
  {
    name: 'prometheus-url',
    kind: 'string',
    placeholder: 'URL',
    help: 'base URL of the Prometheus HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics...), e.g. http://prometheus:9090; required with --history-backend prometheus',
  },
  { name: 'prometheus-bearer-token-file', kind: 'string', placeholder: 'FILE', help: 'file holding a bearer token sent to Prometheus' },
  { name: 'prometheus-basic-auth-file', kind: 'string', placeholder: 'FILE', help: 'file holding one line USER:PASSWORD for basic authentication to Prometheus' },
  { name: 'prometheus-ca-file', kind: 'string', placeholder: 'FILE', help: 'CA bundle to verify an https:// Prometheus' },
  {
    name: 'prometheus-header',
    kind: 'list',
    placeholder: 'NAME=VALUE',
    help: 'a header sent with every request to Prometheus (repeatable), e.g. X-Scope-OrgID=tenant-1 for Mimir',
  },
  { name: 'prometheus-timeout', kind: 'duration', defaultText: '10s', help: 'timeout of each request to Prometheus' },
  {
    name: 'prometheus-scrape-interval',
    kind: 'duration',
    help: "how often Prometheus scrapes the exporters' /metrics (default: --scrape-interval); the windows use the larger of the two",
  },
  {
    name: 'prometheus-max-series',
    kind: 'integer',
    defaultText: '50000',
    help: 'series one Prometheus answer may hold; a query returning more fails with an error naming this cap',
  },
  { name: 'prometheus-max-response-bytes', kind: 'bytes', defaultText: '64MiB', help: 'largest Prometheus answer read' },
  { name: 'prometheus-max-concurrency', kind: 'integer', defaultText: '4', help: 'requests to Prometheus in flight for one API request' },
];

export interface PrometheusSettingsInput {
  /** An option's value, already converted to its kind, or undefined when unset (defaults applied). */
  value: (name: string) => unknown;
  /** A repeatable option's values, or undefined when unset. */
  list: (name: string) => string[] | undefined;
  /** Throws the loader's configuration error for an option. */
  fail: (option: string, message: string) => never;
  readFile: (path: string) => string;
  scrapeIntervalMs: number;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the client sets itself. */
const RESERVED = new Set(['host', 'content-length', 'content-type', 'authorization', 'connection', 'transfer-encoding']);

export function resolvePrometheusSettings(input: PrometheusSettingsInput): PrometheusSettings | null {
  const { value, fail } = input;
  const backend = String(value('history-backend'));
  if (backend !== 'embedded' && backend !== 'prometheus') {
    fail('history-backend', `"${backend}" must be embedded or prometheus`);
  }
  const urlText = value('prometheus-url') as string | undefined;
  if (backend === 'embedded') {
    if (urlText !== undefined) {
      fail('prometheus-url', 'needs --history-backend prometheus');
    }
    return null;
  }
  if (urlText === undefined || urlText.trim() === '') {
    fail('prometheus-url', 'is required with --history-backend prometheus (e.g. http://prometheus:9090)');
  }
  const url = parseUrl(urlText!.trim(), fail);
  const read = (option: string): string | null => {
    const path = value(option) as string | undefined;
    if (path === undefined) {
      return null;
    }
    try {
      return input.readFile(path);
    } catch (err) {
      return fail(option, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  const token = read('prometheus-bearer-token-file')?.trim() ?? null;
  if (token !== null && (token === '' || /\s/.test(token))) {
    fail('prometheus-bearer-token-file', 'must hold a single token without spaces or line breaks');
  }
  const basic = read('prometheus-basic-auth-file')?.trim() ?? null;
  let basicAuth: PrometheusSettings['basicAuth'] = null;
  if (basic !== null) {
    const colon = basic.indexOf(':');
    if (colon <= 0 || basic.includes('\n')) {
      fail('prometheus-basic-auth-file', 'must hold one line USER:PASSWORD');
    }
    basicAuth = { username: basic.slice(0, colon), password: basic.slice(colon + 1) };
  }
  if (token !== null && basicAuth !== null) {
    fail('prometheus-basic-auth-file', 'cannot be combined with --prometheus-bearer-token-file; give one of them');
  }
  const ca = read('prometheus-ca-file');
  const headers = (input.list('prometheus-header') ?? []).map((h): [string, string] => {
    const eq = h.indexOf('=');
    const name = eq > 0 ? h.slice(0, eq).trim() : '';
    const v = eq > 0 ? h.slice(eq + 1).trim() : '';
    if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(v)) {
      fail('prometheus-header', `"${h}" must be NAME=VALUE, e.g. X-Scope-OrgID=tenant-1`);
    }
    if (RESERVED.has(name.toLowerCase())) {
      fail('prometheus-header', `${name} is set by the exporter itself (use --prometheus-bearer-token-file or --prometheus-basic-auth-file for authentication)`);
    }
    return [name, v];
  });
  const positive = (option: string, min: number, max: number): number => {
    const n = value(option) as number;
    if (!Number.isInteger(n) || n < min || n > max) {
      fail(option, `${n} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
  const timeoutMs = value('prometheus-timeout') as number;
  if (timeoutMs < 100 || timeoutMs > 120_000) {
    fail('prometheus-timeout', 'must be between 100ms and 2m');
  }
  const scrapeIntervalMs = (value('prometheus-scrape-interval') as number | undefined) ?? input.scrapeIntervalMs;
  if (scrapeIntervalMs < 100 || scrapeIntervalMs > 3_600_000) {
    fail('prometheus-scrape-interval', 'must be between 100ms and 1h');
  }
  return {
    url,
    bearerToken: token,
    basicAuth,
    ca: ca === null ? null : Buffer.from(ca),
    headers,
    timeoutMs,
    scrapeIntervalMs,
    maxSeries: positive('prometheus-max-series', 1, 10_000_000),
    maxResponseBytes: positive('prometheus-max-response-bytes', 1024, 4 * 1024 ** 3),
    maxConcurrency: positive('prometheus-max-concurrency', 1, 64),
  };
}

function parseUrl(text: string, fail: PrometheusSettingsInput['fail']): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return fail('prometheus-url', `"${text}" is not a URL (e.g. http://prometheus:9090)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    fail('prometheus-url', `"${text}" must be an http:// or https:// URL`);
  }
  if (parsed.username || parsed.password) {
    fail('prometheus-url', 'must not carry credentials: put them in --prometheus-basic-auth-file');
  }
  if (parsed.search || parsed.hash) {
    fail('prometheus-url', `"${text}" must be a base URL without a query or fragment`);
  }
  return parsed.toString().replace(/\/+$/, '');
}
